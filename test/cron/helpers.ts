// Both emulators for the cron tests: a Service Bus emulator (in memory) with the control queue
// (duplicate detection, a short lock so a killed replica's tick comes back within seconds) and a
// queue for --send, and the local Platform API running one-off dynos as real processes. Scheduler
// replicas are real `qjob cron run` processes whose JSON lines are collected.
import {type ChildProcess, spawn} from 'node:child_process'
import {createInterface} from 'node:readline'

import {ServiceBusClient} from '@azure/service-bus'

import {startServiceBusEmulator, type ServiceBusEmulator} from '../../src/emulator/servicebus/index.js'
import {binPath} from '../helpers/cli.js'
import {nodeCommand, startLocalHeroku, type LocalHeroku} from '../heroku/helpers/local-heroku.js'

export const CONTROL = 'qjob-cron'
export const JOBS = 'jobs'

export interface CronEvent {
  event: string
  name?: string
  outcome?: {fireTime: string; status: string; dyno?: string; lateMs?: number; reason?: string; messageId?: string}
  next?: string
  reason?: string
  messageId?: string
  message?: string
}

export interface Replica {
  child: ChildProcess
  events: CronEvent[]
  stderr: string[]
  /** Resolves when an event matching `test` has been printed (already or later). */
  waitFor(test: (event: CronEvent) => boolean, timeoutMs?: number): Promise<CronEvent>
  stop(signal?: NodeJS.Signals): Promise<void>
}

export interface CronFixture {
  servicebus: ServiceBusEmulator
  heroku: LocalHeroku
  client: ServiceBusClient
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv
  qjob(args: string[], extraEnv?: NodeJS.ProcessEnv): ReturnType<LocalHeroku['qjob']>
  replica(args?: string[], extraEnv?: NodeJS.ProcessEnv): Replica
  /** POST /dynos calls made so far (one per one-off dyno started). */
  dynoCreates(): number
  close(): Promise<void>
}

export const IDLE = nodeCommand('setInterval(()=>{},1000)')

export async function startCronFixture(): Promise<CronFixture> {
  const servicebus = await startServiceBusEmulator({
    port: 0,
    inMemory: true,
    queues: [
      {
        name: CONTROL,
        lockDuration: 'PT5S',
        requiresDuplicateDetection: true,
        duplicateDetectionHistoryTimeWindow: 'PT1H',
        maxDeliveryCount: 100,
      },
      {name: JOBS, requiresDuplicateDetection: true, duplicateDetectionHistoryTimeWindow: 'PT1H'},
    ],
  })
  const heroku = await startLocalHeroku({procfile: `worker: ${IDLE}\n`, gracePeriodMs: 1000})
  const client = new ServiceBusClient(servicebus.connectionString, {retryOptions: {maxRetries: 0, timeoutInMs: 10_000}})
  const replicas: Replica[] = []
  const env = (extra: NodeJS.ProcessEnv = {}) => heroku.env({SERVICEBUS_CONNECTION_STRING: servicebus.connectionString, ...extra})
  return {
    servicebus,
    heroku,
    client,
    env,
    qjob: (args, extraEnv = {}) => heroku.qjob(args, {env: env(extraEnv)}),
    replica(args = [], extraEnv = {}) {
      const child = spawn(process.execPath, [binPath, 'cron', 'run', '--json', ...args], {
        cwd: heroku.home,
        env: env(extraEnv),
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      const events: CronEvent[] = []
      const stderr: string[] = []
      const waiters = new Set<() => void>()
      createInterface({input: child.stdout!}).on('line', line => {
        try {
          events.push(JSON.parse(line) as CronEvent)
        } catch {
          stderr.push(`(not JSON) ${line}`)
        }
        for (const waiter of waiters) waiter()
      })
      createInterface({input: child.stderr!}).on('line', line => stderr.push(line))
      const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
      const replica: Replica = {
        child,
        events,
        stderr,
        waitFor(test, timeoutMs = 30_000) {
          return new Promise((resolve, reject) => {
            const check = () => {
              const found = events.find(test)
              if (!found) return
              waiters.delete(check)
              clearTimeout(timer)
              resolve(found)
            }
            const timer = setTimeout(() => {
              waiters.delete(check)
              reject(new Error(`no matching event within ${timeoutMs} ms; events: ${JSON.stringify(events)}; stderr: ${stderr.join('\n')}`))
            }, timeoutMs)
            waiters.add(check)
            check()
          })
        },
        async stop(signal = 'SIGTERM') {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal)
          await exited
        },
      }
      replicas.push(replica)
      return replica
    },
    dynoCreates: () => heroku.exchanges.filter(exchange => exchange.method === 'POST' && /\/dynos$/.test(exchange.path)).length,
    async close() {
      await Promise.allSettled(replicas.map(replica => replica.stop('SIGKILL')))
      await client.close()
      await heroku.close()
      await servicebus.close()
    },
  }
}

/** All events of every replica that recorded a fire. */
export function fires(replicas: readonly Replica[], name: string): CronEvent[] {
  return replicas.flatMap(replica => replica.events).filter(event => event.event === 'fired' && event.name === name)
}

/** Resolves with the first event of any replica that matches; on timeout, rejects with what every replica printed. */
export function waitForAny(replicas: readonly Replica[], test: (event: CronEvent) => boolean, timeoutMs = 60_000): Promise<CronEvent> {
  const quiet = replicas.map(replica => replica.waitFor(test, timeoutMs + 1000).catch(() => new Promise<never>(() => {})))
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `no matching event within ${timeoutMs} ms:\n${replicas.map((replica, i) => `replica ${i}: ${JSON.stringify(replica.events)}\n${replica.stderr.join('\n')}`).join('\n')}`,
          ),
        ),
      timeoutMs,
    )
  })
  return Promise.race([...quiet, timeout]).finally(() => clearTimeout(timer))
}
