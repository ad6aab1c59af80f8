// The services `qjob emulator start` runs side by side. Each starts from the same options and
// contributes its environment (what `qjob emulator env` prints), its status and its close().
// The Service Bus emulator first, then the local Heroku Platform API for the app directory.
import {existsSync} from 'node:fs'
import {join} from 'node:path'

import type {EmulatorLogger} from '../../emulator/servicebus/logger.js'
import {ControlError} from './control-server.js'

export interface EmulatorRunOptions {
  dataDir: string
  inMemory: boolean
  /** Service Bus AMQP port (0 = a free port). */
  port: number
  host: string
  configFile?: string
  logger: EmulatorLogger
  /** The Heroku app: a directory with a Procfile. */
  appDir: string
  /** Whether appDir was chosen (--app-dir): then a missing Procfile is an error, not a skip. */
  appDirExplicit?: boolean
  /** Port of the local Heroku API (0 = a free port). */
  herokuPort?: number
  /** A new namespace key instead of the one kept in the data directory. */
  resetKeys?: boolean
}

export interface RunningService {
  name: string
  endpoint: string
  port: number
  env: Record<string, string>
  /** Extra settings printed by `qjob emulator env --arm` (the ARM backend of the queue commands). */
  armEnv?: Record<string, string>
  status(): unknown
  /** Empties the service's queues, or one (`qjob emulator reset`); a ControlError(404) for an unknown queue. */
  reset?(queue: string | undefined): Promise<unknown>
  close(): Promise<void>
}

/** Starts a service, or returns undefined when it has nothing to serve. */
export type ServiceStarter = (options: EmulatorRunOptions) => Promise<RunningService | undefined>

export interface ServiceBusStatus {
  queues: Array<{
    name: string
    activeMessageCount: number
    deadLetterMessageCount: number
    scheduledMessageCount: number
    deferredMessageCount: number
    sizeInBytes: number
  }>
  /** Each subscription, by path (`topic/Subscriptions/sub`), with the same counts as a queue. */
  subscriptions?: ServiceBusStatus['queues']
}

const startServiceBus: ServiceStarter = async options => {
  const {startServiceBusEmulator} = await import('../../emulator/servicebus/index.js')
  const emulator = await startServiceBusEmulator({
    port: options.port,
    host: options.host,
    dataDir: options.dataDir,
    inMemory: options.inMemory,
    configFile: options.configFile,
    logger: options.logger,
    resetKeys: options.resetKeys,
  })
  return {
    name: 'servicebus',
    endpoint: emulator.endpoint,
    port: emulator.port,
    env: {SERVICEBUS_CONNECTION_STRING: emulator.connectionString, NODE_EXTRA_CA_CERTS: emulator.certPath},
    armEnv: {
      AZURE_SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000000',
      AZURE_RESOURCE_GROUP: 'local',
      SERVICEBUS_NAMESPACE_NAME: 'qjob-emulator',
      AZURE_RESOURCE_MANAGER_URL: emulator.armEndpoint,
      AZURE_ACCESS_TOKEN: emulator.armToken,
    },
    status: (): ServiceBusStatus => {
      const row = (name: string) => {
        const counts = emulator.broker.runtimeCounts(name)
        return {
          name,
          activeMessageCount: counts.activeMessageCount,
          deadLetterMessageCount: counts.deadLetterMessageCount,
          scheduledMessageCount: counts.scheduledMessageCount,
          deferredMessageCount: counts.deferredMessageCount,
          sizeInBytes: counts.sizeInBytes,
        }
      }
      return {
        queues: emulator.broker.listQueues().map(queue => row(queue.name)),
        subscriptions: emulator.broker.listSubscriptionPaths().map(row),
      }
    },
    reset: async queue => {
      try {
        return {queues: await emulator.broker.reset(queue)}
      } catch (error) {
        if ((error as {code?: string}).code === 'EntityNotFound') throw new ControlError(`no queue named "${queue}"`, 404)
        throw error
      }
    },
    close: () => emulator.close(),
  }
}

const startHeroku: ServiceStarter = async options => {
  if (!existsSync(join(options.appDir, 'Procfile')) && !options.appDirExplicit) {
    options.logger.info(`Heroku API not started: no Procfile in ${options.appDir} (use --app-dir)`)
    return undefined
  }
  const {herokuEmulatorEnv, startHerokuEmulator} = await import('../../emulator/heroku/index.js')
  const heroku = await startHerokuEmulator({
    appDir: options.appDir,
    dataDir: options.dataDir,
    host: options.host,
    port: options.herokuPort ?? 0,
  })
  options.logger.info(`Heroku API for app ${heroku.appName} listening on ${heroku.url}`)
  return {
    name: 'heroku',
    endpoint: heroku.url,
    port: Number(new URL(heroku.url).port),
    env: herokuEmulatorEnv(heroku),
    status: () => ({app: heroku.appName, appDir: options.appDir}),
    close: () => heroku.close(),
  }
}

/** In start order; stopped in reverse. */
export const SERVICES: ServiceStarter[] = [startServiceBus, startHeroku]
