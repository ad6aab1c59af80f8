// `qjob/emulator`: the local Service Bus (and, on request, Heroku Platform API) emulator as a test
// fixture for other projects. A thin facade over the two services: start in a test's setup on a
// free port, connect the unmodified @azure/service-bus SDK, reset() between tests, close() at the end.
//
//   import {startEmulator} from 'qjob/emulator'
//   const emulator = await startEmulator({queues: [{name: 'jobs', maxDeliveryCount: 3}]})
//   const client = new ServiceBusClient(emulator.connectionString)
//   ...
//   await emulator.reset()
//   await emulator.close()
//
// This module (and what it imports) never loads the CLI: no oclif, no command code. The Heroku
// side is imported only when `heroku` is given.
import type {EmulatorCertificate} from './certificate.js'
import {fixtureCertificate} from './fixture-certificate.js'
import type {HerokuEmulator} from './heroku/index.js'
import type {QueueResetSummary} from './servicebus/broker/reset.js'
import {
  startServiceBusEmulator,
  type EmulatorLogger,
  type PolicyConfig,
  type QueueConfig,
  type ServiceBusEmulator,
} from './servicebus/index.js'

export {ConfigError, silentLogger, streamLogger} from './servicebus/index.js'
export type {EmulatorLogger, PolicyConfig, QueueConfig} from './servicebus/index.js'
export type {QueueResetSummary} from './servicebus/broker/reset.js'

/** The local Heroku Platform API for one app: a directory with a Procfile (and an optional .env). */
export interface HerokuFixtureOptions {
  /** The app's directory; it must hold a Procfile. */
  appDir: string
  /** Port of the Heroku API; 0 (default) picks a free one. */
  port?: number
  /** Default: the directory's name, made a valid app name. */
  appName?: string
  /** The API token clients must present (default: a random one, or the one kept in dataDir). */
  token?: string
  /** SIGTERM -> SIGKILL delay when stopping dynos (default 30 s). */
  gracePeriodMs?: number
}

export interface StartEmulatorOptions {
  /** Port of the Service Bus emulator (AMQP, admin API and ARM surface share it). Default 0: a free port. */
  port?: number
  /** Keep messages, keys and the certificate here, so a restart finds them. Without it the emulator runs in memory. */
  dataDir?: string
  /** Keep messages in memory only. Default: true unless dataDir is given. */
  inMemory?: boolean
  /** Queues to create at start: a name, or a name with properties (field names of the SDK's CreateQueueOptions). */
  queues?: Array<string | QueueConfig>
  /** Namespace policies; default one RootManageSharedAccessKey (Manage, Listen, Send) with a random key. */
  policies?: PolicyConfig[]
  /** A config file: qjob's format or Microsoft's emulator Config.json (topics are reported in `warnings`). */
  configFile?: string
  /** Also start the local Heroku Platform API for this app. */
  heroku?: HerokuFixtureOptions
  /**
   * Where the emulator's TLS certificate is kept. Default: dataDir, else a per-user cache
   * ($XDG_CACHE_HOME/qjob/emulator-cert or ~/.cache/qjob/emulator-cert), made once per machine.
   */
  certDir?: string
  /** Where the emulator's log lines go (default: nowhere). `streamLogger(process.stderr)` prints them. */
  logger?: EmulatorLogger
}

export interface QueueCounts {
  active: number
  scheduled: number
  deferred: number
  deadLetter: number
  locked: number
}

export interface QjobEmulator {
  /** `Endpoint=sb://127.0.0.1:PORT;SharedAccessKeyName=...;SharedAccessKey=...;UseDevelopmentEmulator=true` (a Manage policy). */
  readonly connectionString: string
  /**
   * For ServiceBusAdministrationClient (HTTPS on the same port). Pass `{tlsOptions: {ca: emulator.caCert}}`
   * as its options, or start the process with NODE_EXTRA_CA_CERTS=caCertPath.
   */
  readonly adminConnectionString: string
  /** `sb://127.0.0.1:PORT` */
  readonly endpoint: string
  readonly host: string
  readonly port: number
  /** The emulator's self-signed certificate (PEM) and where it is kept (for NODE_EXTRA_CA_CERTS). */
  readonly caCert: string
  readonly caCertPath: string
  /** The local Heroku API (HEROKU_API_URL), its token and app, when `heroku` was given. */
  readonly herokuApiUrl?: string
  readonly herokuApiKey?: string
  readonly herokuApp?: string
  /**
   * What a child process (a worker under test, or qjob itself) needs to use the emulator:
   * SERVICEBUS_CONNECTION_STRING, NODE_EXTRA_CA_CERTS and, with heroku, HEROKU_API_URL, HEROKU_API_KEY, HEROKU_APP.
   */
  readonly env: Readonly<Record<string, string>>
  /** What the config file declares that the emulator does not serve (topics), one line each. */
  readonly warnings: readonly string[]
  /** The connection string of a named policy: namespace level, or a queue's own policy with `queue`. */
  connectionStringFor(policyName: string, queue?: string): string
  /** Names of the queues, sorted. */
  queueNames(): string[]
  /** Names of the topics, sorted. */
  topicNames(): string[]
  /** Paths of the subscriptions (`topic/Subscriptions/sub`), sorted by topic then name. */
  subscriptionPaths(): string[]
  /** Live message counts of a queue or a subscription path (throws for an unknown one). */
  counts(queue: string): QueueCounts
  /**
   * Empties every queue, topic and subscription (or one queue, or one topic with its
   * subscriptions): active, scheduled, deferred and dead-lettered messages, sessions
   * and their state, duplicate-detection history and message locks. Queues, their settings and
   * policies stay; connected clients keep working. Durable: a restarted emulator stays empty.
   * Sequence numbers keep counting up (as in Azure). Resolves with what each queue held.
   */
  reset(options?: {queue?: string}): Promise<QueueResetSummary[]>
  /** Stops everything (open client connections are closed by the emulator). Idempotent. */
  close(): Promise<void>
}

/** The per-user cached certificate; when the cache dir cannot be written, undefined (a per-process one is made). */
async function cachedCertificate(): Promise<EmulatorCertificate | undefined> {
  try {
    return await fixtureCertificate()
  } catch {
    return undefined
  }
}

function toQueueConfig(queue: string | QueueConfig): QueueConfig {
  return typeof queue === 'string' ? {name: queue} : queue
}

function heroku(options: StartEmulatorOptions, certificate: EmulatorCertificate): Promise<HerokuEmulator> | undefined {
  if (!options.heroku) return undefined
  const {appDir, port, appName, token, gracePeriodMs} = options.heroku
  return import('./heroku/index.js').then(({startHerokuEmulator}) =>
    startHerokuEmulator({appDir, port: port ?? 0, appName, token, gracePeriodMs, dataDir: options.dataDir, certificate}),
  )
}

/** Starts the emulator; resolves once it accepts connections. */
export async function startEmulator(options: StartEmulatorOptions = {}): Promise<QjobEmulator> {
  const serviceBus: ServiceBusEmulator = await startServiceBusEmulator({
    port: options.port ?? 0,
    dataDir: options.dataDir,
    inMemory: options.inMemory ?? options.dataDir === undefined,
    queues: options.queues?.map(toQueueConfig),
    policies: options.policies,
    configFile: options.configFile,
    logger: options.logger,
    certDir: options.certDir,
    certificate: options.certDir || options.dataDir ? undefined : await cachedCertificate(),
  })
  let herokuApi: HerokuEmulator | undefined
  try {
    herokuApi = await heroku(options, serviceBus.certificate)
  } catch (error) {
    await serviceBus.close()
    throw error
  }
  const env: Record<string, string> = {SERVICEBUS_CONNECTION_STRING: serviceBus.connectionString, NODE_EXTRA_CA_CERTS: serviceBus.certPath}
  if (herokuApi) Object.assign(env, {HEROKU_API_URL: herokuApi.url, HEROKU_API_KEY: herokuApi.token, HEROKU_APP: herokuApi.appName})
  const {broker} = serviceBus
  let closing: Promise<void> | undefined
  return {
    connectionString: serviceBus.connectionString,
    adminConnectionString: serviceBus.connectionString,
    endpoint: serviceBus.endpoint,
    host: serviceBus.host,
    port: serviceBus.port,
    caCert: serviceBus.certificate.cert,
    caCertPath: serviceBus.certPath,
    herokuApiUrl: herokuApi?.url,
    herokuApiKey: herokuApi?.token,
    herokuApp: herokuApi?.appName,
    env,
    warnings: serviceBus.warnings,
    connectionStringFor: (policyName, queue) => serviceBus.connectionStringFor(policyName, queue),
    queueNames: () => broker.listQueues().map(queue => queue.name),
    topicNames: () => broker.topics.list().map(topic => topic.name),
    subscriptionPaths: () => broker.listSubscriptionPaths(),
    counts(queue) {
      const counts = broker.runtimeCounts(queue)
      return {
        active: counts.activeMessageCount,
        scheduled: counts.scheduledMessageCount,
        deferred: counts.deferredMessageCount,
        deadLetter: counts.deadLetterMessageCount,
        locked: counts.lockedMessageCount,
      }
    },
    // async: an unknown queue rejects rather than throwing synchronously.
    reset: async resetOptions => broker.reset(resetOptions?.queue),
    close() {
      closing ??= (async () => {
        await herokuApi?.close()
        await serviceBus.close()
      })()
      return closing
    },
  }
}
