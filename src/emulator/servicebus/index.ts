// startServiceBusEmulator(): the one place that builds the Service Bus emulator from one options
// object: store (durable or in memory) -> broker -> policies -> AMQP server and admin API behind one
// front door (one port; see front-door.ts). Its defaults are the daemon's (`qjob emulator start`
// runs it in a background process): port 5672, a data dir unless inMemory. Tests start it
// in-process on port 0. The package's startEmulator() (src/emulator/index.ts) wraps it with a test
// fixture's defaults: a free port, in memory unless given a data dir.
import {createHmac} from 'node:crypto'
import {join} from 'node:path'

import {registerSecret} from '../../common/redact.js'
import type {EmulatorCertificate} from '../certificate.js'
import {AdminApi} from './admin/admin-api.js'
import {enforceHeaderDeadline} from './admin/header-deadline.js'
import {healthRoute} from './admin/health-route.js'
import {createAdminServers} from './admin/http-listener.js'
import {emulatorCertificate} from './admin/tls-certificate.js'
import {createArmApi, isArmPath} from './arm/arm-api.js'
import {createAmqpServer} from './amqp/amqp-server.js'
import type {AmqpLimits} from './amqp/connection-guard.js'
import {attachWebSocketTransport, type WebSocketTransport} from './amqp/websocket-transport.js'
import {propertyEditor} from './amqp/message-codec.js'
import {messageInspector} from './amqp/filter-view.js'
import {NamespacePolicies} from './auth/namespace-policies.js'
import {Broker} from './broker/broker.js'
import {BrokerError} from './broker/broker-error.js'
import {startIdleReaper} from './broker/idle-queues.js'
import type {AuthorizationRule} from './broker/queue-properties.js'
import {AMQP} from './constants.js'
import {
  ConfigError,
  defaultPolicy,
  readConfigFile,
  toQueueSettings,
  toRule,
  type PolicyConfig,
  type QueueConfig,
} from './config/namespace-config.js'
import {applyTopicConfig} from './config/apply-topics.js'
import {silentLogger, type EmulatorLogger} from './logger.js'
import {startFrontDoor, type FrontDoor} from './front-door.js'
import {DurableStore} from './store/durable-store.js'
import {MemoryStore} from './store/memory-store.js'
import type {MessageStore} from './store/message-store.js'

export interface ServiceBusEmulatorOptions {
  /** TCP port; 0 picks a free one. Default 5672. */
  port?: number
  /** Interface to bind. Default 127.0.0.1. */
  host?: string
  /** Where messages, the default key and the lock file live. Required unless inMemory. */
  dataDir?: string
  /** Keep messages in memory only (nothing survives the process). */
  inMemory?: boolean
  /** A JSON file with policies and queues (see config/namespace-config.ts), or Microsoft's emulator Config.json. */
  configFile?: string
  /** Queues to create (or update) at start, in addition to the config file's. */
  queues?: QueueConfig[]
  /** Policies, instead of the config file's or the default RootManageSharedAccessKey. */
  policies?: PolicyConfig[]
  logger?: EmulatorLogger
  /** Durable store: compact once the log is bigger than this (tests use a small value). */
  compactMinBytes?: number
  /** Where the TLS certificate of the admin API is kept. Default: dataDir; in memory: a per-process temp dir. */
  certDir?: string
  /** A ready certificate for the admin API (else loaded or created as certDir says). */
  certificate?: EmulatorCertificate
  /** The broker's clock (tests move it to reach lock, TTL and auto-delete-on-idle deadlines). Default Date.now. */
  now?: () => number
  /** Replace the default policy's key kept in the data directory with a new one (saved connection strings stop working). */
  resetKeys?: boolean
  /** Guards against slow and hostile peers (tests use small values): AMQP frame sizes, timeouts, connection cap. */
  limits?: EmulatorLimits
}

export interface EmulatorLimits extends Partial<AmqpLimits> {
  /** An HTTP request's headers must be complete within this (admin API, ARM). */
  headersTimeoutMs?: number
}

export interface ServiceBusEmulator {
  readonly host: string
  readonly port: number
  /** `sb://host:port` */
  readonly endpoint: string
  /** For the first policy with Manage rights (the default RootManageSharedAccessKey). */
  readonly connectionString: string
  readonly broker: Broker
  readonly store: MessageStore
  readonly policies: readonly AuthorizationRule[]
  /** `https://host:port`: the ATOM admin API (ServiceBusAdministrationClient), on the AMQP port. */
  readonly managementEndpoint: string
  /** Azure Resource Manager surface (same port, HTTPS): point @azure/arm-servicebus's `endpoint` here. */
  readonly armEndpoint: string
  /** The bearer token the ARM surface accepts (AZURE_ACCESS_TOKEN for qjob). */
  readonly armToken: string
  /** The admin API's self-signed certificate; trust certPath (NODE_EXTRA_CA_CERTS) or pass `tlsOptions: {ca: cert}`. */
  readonly certificate: EmulatorCertificate
  readonly certPath: string
  /** What the config file declares that the emulator does not serve (e.g. topics), one line each; also logged as warnings. */
  readonly warnings: readonly string[]
  /** The connection string for a named policy (namespace or queue level). */
  connectionStringFor(policyName: string, queueName?: string): string
  connectionCount(): number
  /** AMQP-over-WebSocket connections accepted since start (on `/$servicebus/websocket`). */
  webSocketConnectionsAccepted(): number
  close(): Promise<void>
}

export function connectionStringOf(endpoint: string, keyName: string, key: string, entityPath?: string): string {
  return `Endpoint=${endpoint};SharedAccessKeyName=${keyName};SharedAccessKey=${key}${entityPath ? `;EntityPath=${entityPath}` : ''};UseDevelopmentEmulator=true`
}

export async function startServiceBusEmulator(options: ServiceBusEmulatorOptions = {}): Promise<ServiceBusEmulator> {
  const logger = options.logger ?? silentLogger
  if (!options.inMemory && !options.dataDir) throw new ConfigError('the emulator needs a data directory unless it runs in memory')
  const serviceBusDir = options.dataDir ? join(options.dataDir, 'servicebus') : undefined
  const fileConfig = options.configFile ? readConfigFile(options.configFile) : {policies: [], queues: []}
  const warnings = fileConfig.warnings ?? []
  for (const warning of warnings) logger.warn(warning)
  const policyConfigs =
    options.policies ?? (fileConfig.policies.length > 0 ? fileConfig.policies : [defaultPolicy(serviceBusDir, options.resetKeys)])
  const rules = policyConfigs.map(toRule)
  for (const rule of rules) {
    registerSecret(rule.primaryKey)
    registerSecret(rule.secondaryKey)
  }

  const store: MessageStore = options.inMemory
    ? new MemoryStore()
    : new DurableStore({dir: serviceBusDir!, logger, compactMinBytes: options.compactMinBytes})
  const broker = new Broker({store, propertyEditor, inspector: messageInspector, logger, now: options.now})
  await broker.open()
  try {
    for (const queue of [...fileConfig.queues, ...(options.queues ?? [])]) {
      const settings = toQueueSettings(queue)
      for (const rule of settings.authorizationRules ?? []) {
        registerSecret(rule.primaryKey)
        registerSecret(rule.secondaryKey)
      }
      if (broker.getQueue(queue.name)) await broker.updateQueue(queue.name, settings)
      else await broker.createQueue(queue.name, settings)
    }
    await applyTopicConfig(broker, fileConfig.topics ?? [])
  } catch (error) {
    await broker.close()
    if (error instanceof BrokerError) throw new ConfigError(error.message)
    throw error
  }

  const policies = new NamespacePolicies(rules, broker)
  const manageRule = rules.find(rule => rule.rights.includes('Manage')) ?? rules[0]
  // The ARM surface's bearer token: derived from the Manage key, so it is stable across restarts.
  const armToken = createHmac('sha256', manageRule.primaryKey).update('qjob-emulator-arm-token').digest('base64url')
  registerSecret(armToken)
  const host = options.host ?? AMQP.defaultHost
  const amqp = createAmqpServer({broker, policies, logger, limits: options.limits})
  let certificate: EmulatorCertificate
  let admin
  let server: FrontDoor
  let webSockets: WebSocketTransport
  try {
    certificate = await emulatorCertificate({certificate: options.certificate, certDir: options.certDir, dataDir: options.dataDir})
    const arm = createArmApi({
      broker,
      token: armToken,
      namespaceRules: () => rules,
      // In place: NamespacePolicies and the connection strings read the same objects.
      replaceNamespaceRule: rule => void Object.assign(rules.find(candidate => candidate.keyName === rule.keyName) ?? {}, rule),
      connectionString: (keyName, key, queue) => connectionStringOf(`sb://${host}:${server.port}`, keyName, key, queue),
    })
    const armRoute = {matches: isArmPath, handle: arm}
    const health = healthRoute(() => ({queues: broker.listQueues().length}))
    admin = createAdminServers(new AdminApi({broker, policies, logger}), certificate, () => `${host}:${server.port}`, logger, [
      armRoute,
      health,
    ])
    const {http, https} = admin
    webSockets = attachWebSocketTransport([http, https], {accept: stream => amqp.accept(stream), logger})
    for (const admin of [http, https]) enforceHeaderDeadline(admin, logger, options.limits?.headersTimeoutMs)
    server = await startFrontDoor({
      host,
      port: options.port ?? AMQP.defaultPort,
      logger,
      amqp: socket => amqp.accept(socket),
      tls: stream => https.emit('connection', stream),
      http: socket => http.emit('connection', socket),
    })
  } catch (error) {
    await broker.close()
    throw error
  }
  const idleReaper = startIdleReaper(broker, logger)
  const endpoint = `sb://${host}:${server.port}`
  const main = rules.find(rule => rule.rights.includes('Manage')) ?? rules[0]
  logger.info(`Service Bus emulator listening on ${endpoint} (${store.durable ? `data in ${serviceBusDir}` : 'in memory'})`)

  let closing: Promise<void> | undefined
  return {
    host,
    port: server.port,
    endpoint,
    // A getter: regenerateKeys (ARM) replaces the key in place.
    get connectionString() {
      return connectionStringOf(endpoint, main.keyName, main.primaryKey)
    },
    broker,
    store,
    policies: rules,
    managementEndpoint: `https://${host}:${server.port}`,
    armEndpoint: `https://${host}:${server.port}`,
    armToken,
    certificate,
    certPath: certificate.certPath,
    warnings,
    connectionStringFor(policyName: string, queueName?: string): string {
      const candidates = queueName ? (broker.getQueue(queueName)?.authorizationRules ?? []) : rules
      const rule = candidates.find(candidate => candidate.keyName === policyName)
      if (!rule) throw new ConfigError(`no policy named "${policyName}"${queueName ? ` on queue "${queueName}"` : ''}`)
      return connectionStringOf(endpoint, rule.keyName, rule.primaryKey, queueName)
    },
    connectionCount: () => server.connectionCount(),
    webSocketConnectionsAccepted: () => webSockets.acceptedCount(),
    close() {
      closing ??= (async () => {
        idleReaper.stop()
        // AMQP first: its clients are told the emulator stops while their sockets are still open.
        await amqp.close()
        webSockets.close()
        await server.close()
        await admin.close()
        await broker.close()
        logger.info('Service Bus emulator stopped')
      })()
      return closing
    },
  }
}

export {ConfigError} from './config/namespace-config.js'
export {StartRefusedError} from './start-refused.js'
export type {PolicyConfig, QueueConfig} from './config/namespace-config.js'
export type {EmulatorLogger} from './logger.js'
export {streamLogger, silentLogger} from './logger.js'
