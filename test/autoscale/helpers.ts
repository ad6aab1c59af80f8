// Both emulators for an autoscale test: a Service Bus emulator (in memory) with the queue, and the
// local Platform API running a tiny Procfile as real processes, every exchange schema-checked.
import {ServiceBusClient, type ServiceBusReceivedMessage, type ServiceBusReceiver} from '@azure/service-bus'

import {startServiceBusEmulator, type ServiceBusEmulator} from '../../src/emulator/servicebus/index.js'
import {HerokuApi} from '../../src/lib/heroku/api.js'
import {AtomBackend} from '../../src/lib/management/atom.js'
import type {ManagementBackend} from '../../src/lib/management/types.js'
import {nodeCommand, startLocalHeroku, type LocalHeroku, type LocalHerokuOptions} from '../heroku/helpers/local-heroku.js'

/** A dyno that idles until SIGTERM (node's default handler ends it at once). */
export const IDLE_WORKER = nodeCommand('setInterval(()=>{},1000)')

export interface AutoscaleFixture {
  servicebus: ServiceBusEmulator
  heroku: LocalHeroku
  queue: string
  client: ServiceBusClient
  backend: ManagementBackend
  /** A Platform API client whose retries wait no real time. */
  api(retry?: {maxAttempts?: number}): HerokuApi
  send(count: number): Promise<void>
  /** Receives and completes every active message. */
  drain(): Promise<number>
  /** Peek-locks `count` messages and keeps them locked (a busy worker). */
  lock(count: number): Promise<{messages: ServiceBusReceivedMessage[]; receiver: ServiceBusReceiver}>
  /** The formation's quantity of a process type, read from the emulator's store. */
  quantity(type?: string): number
  /** Live processes of a type. */
  processes(type?: string): number
  close(): Promise<void>
}

export async function startAutoscaleFixture(options: Partial<LocalHerokuOptions> = {}): Promise<AutoscaleFixture> {
  const queue = 'jobs'
  const servicebus = await startServiceBusEmulator({port: 0, inMemory: true, queues: [{name: queue, lockDuration: 'PT5M'}]})
  const heroku = await startLocalHeroku({procfile: `worker: ${IDLE_WORKER}\n`, gracePeriodMs: 2000, ...options})
  const client = new ServiceBusClient(servicebus.connectionString, {retryOptions: {maxRetries: 0, timeoutInMs: 10_000}})
  const backend = await AtomBackend.open({
    kind: 'connection-string',
    connectionString: servicebus.connectionString,
    endpoint: servicebus.endpoint,
  })
  const receivers: ServiceBusReceiver[] = []
  return {
    servicebus,
    heroku,
    queue,
    client,
    backend,
    api: (retry = {}) =>
      new HerokuApi({
        token: heroku.emulator.token,
        baseUrl: heroku.emulator.url,
        retry: {maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, ...retry},
        sleep: async () => {},
      }),
    async send(count) {
      const sender = client.createSender(queue)
      try {
        let batch = await sender.createMessageBatch()
        for (let i = 0; i < count; i++) {
          const message = {body: {job: i}}
          if (!batch.tryAddMessage(message)) {
            await sender.sendMessages(batch)
            batch = await sender.createMessageBatch()
            batch.tryAddMessage(message)
          }
        }
        if (batch.count > 0) await sender.sendMessages(batch)
      } finally {
        await sender.close()
      }
    },
    async drain() {
      const receiver = client.createReceiver(queue, {receiveMode: 'receiveAndDelete'})
      let total = 0
      try {
        while (servicebus.broker.runtimeCounts(queue).activeMessageCount > 0) {
          total += (await receiver.receiveMessages(500, {maxWaitTimeInMs: 1000})).length
        }
      } finally {
        await receiver.close()
      }
      return total
    },
    async lock(count) {
      const receiver = client.createReceiver(queue)
      receivers.push(receiver)
      const messages: ServiceBusReceivedMessage[] = []
      while (messages.length < count) {
        messages.push(...(await receiver.receiveMessages(count - messages.length, {maxWaitTimeInMs: 2000})))
      }
      return {messages, receiver}
    },
    quantity: (type = 'worker') => heroku.emulator.store.formationList().find(entry => entry.type === type)?.quantity ?? 0,
    processes: (type = 'worker') =>
      heroku.emulator.store.dynoList().filter(dyno => dyno.type === type && dyno.state !== 'down' && dyno.state !== 'crashed').length,
    async close() {
      await Promise.allSettled(receivers.map(receiver => receiver.close()))
      await client.close()
      await backend.close()
      await heroku.close()
      await servicebus.close()
    },
  }
}
