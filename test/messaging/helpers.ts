// Messaging command tests: an in-process emulator, and qjob run as a user would with the
// emulator's connection string in its environment.
import {startServiceBusEmulator, type ServiceBusEmulator} from '../../src/emulator/servicebus/index.js'
import type {QueueConfig} from '../../src/emulator/servicebus/config/namespace-config.js'
import {type CliResult, cleanEnv, runCli, tempDir} from '../helpers/cli.js'

export interface MessagingFixture {
  emulator: ServiceBusEmulator
  home: string
  env: NodeJS.ProcessEnv
  qjob(args: string[], options?: {input?: string | Buffer; env?: NodeJS.ProcessEnv}): Promise<CliResult>
  stop(): Promise<void>
}

export async function startMessagingFixture(queues: QueueConfig[]): Promise<MessagingFixture> {
  const emulator = await startServiceBusEmulator({port: 0, inMemory: true, queues})
  const home = tempDir('qjob-msg-')
  const env = cleanEnv(home.path, {SERVICEBUS_CONNECTION_STRING: emulator.connectionString})
  return {
    emulator,
    home: home.path,
    env,
    qjob: (args, options = {}) => runCli(args, {cwd: home.path, env: {...env, ...options.env}, input: options.input}),
    async stop() {
      await emulator.close()
      home.cleanup()
    },
  }
}

export function ndjson(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter(line => line.trim() !== '')
    .map(line => JSON.parse(line) as Record<string, unknown>)
}
