// The services `qjob emulator start` runs side by side. Each starts from the same options and
// contributes its environment (what `qjob emulator env` prints), its status and its close().
// The Service Bus emulator is the first; the local Heroku Platform API joins this list later.
import type {EmulatorLogger} from '../../emulator/servicebus/logger.js'

export interface EmulatorRunOptions {
  dataDir: string
  inMemory: boolean
  /** Service Bus AMQP port (0 = a free port). */
  port: number
  host: string
  configFile?: string
  logger: EmulatorLogger
}

export interface RunningService {
  name: string
  endpoint: string
  port: number
  env: Record<string, string>
  status(): unknown
  close(): Promise<void>
}

export type ServiceStarter = (options: EmulatorRunOptions) => Promise<RunningService>

export interface ServiceBusStatus {
  queues: Array<{
    name: string
    activeMessageCount: number
    deadLetterMessageCount: number
    scheduledMessageCount: number
    deferredMessageCount: number
    sizeInBytes: number
  }>
}

const startServiceBus: ServiceStarter = async options => {
  const {startEmulator} = await import('../../emulator/servicebus/index.js')
  const emulator = await startEmulator({
    port: options.port,
    host: options.host,
    dataDir: options.dataDir,
    inMemory: options.inMemory,
    configFile: options.configFile,
    logger: options.logger,
  })
  return {
    name: 'servicebus',
    endpoint: emulator.endpoint,
    port: emulator.port,
    env: {SERVICEBUS_CONNECTION_STRING: emulator.connectionString},
    status: (): ServiceBusStatus => ({
      queues: emulator.broker.listQueues().map(queue => {
        const counts = emulator.broker.runtimeCounts(queue.name)
        return {
          name: queue.name,
          activeMessageCount: counts.activeMessageCount,
          deadLetterMessageCount: counts.deadLetterMessageCount,
          scheduledMessageCount: counts.scheduledMessageCount,
          deferredMessageCount: counts.deferredMessageCount,
          sizeInBytes: counts.sizeInBytes,
        }
      }),
    }),
    close: () => emulator.close(),
  }
}

/** In start order; stopped in reverse. */
export const SERVICES: ServiceStarter[] = [startServiceBus]
