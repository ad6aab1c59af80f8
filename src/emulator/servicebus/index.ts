// startEmulator(): the one place that builds the Service Bus emulator from one options object:
// store (durable or in memory) -> broker -> policies -> AMQP listener. Tests start it in-process
// on port 0; `qjob emulator start` runs it in a background process.
import {join} from 'node:path'

import {registerSecret} from '../../lib/redact.js'
import {startAmqpServer} from './amqp/amqp-server.js'
import {propertyEditor} from './amqp/message-codec.js'
import {NamespacePolicies} from './auth/namespace-policies.js'
import {Broker} from './broker/broker.js'
import {BrokerError} from './broker/broker-error.js'
import type {AuthorizationRule} from './broker/queue-properties.js'
import {AMQP} from './constants.js'
import {ConfigError, defaultPolicy, readConfigFile, toQueueSettings, toRule, type PolicyConfig, type QueueConfig} from './config/namespace-config.js'
import {silentLogger, type EmulatorLogger} from './logger.js'
import {DurableStore} from './store/durable-store.js'
import {MemoryStore} from './store/memory-store.js'
import type {MessageStore} from './store/message-store.js'

export interface EmulatorOptions {
  /** TCP port; 0 picks a free one. Default 5672. */
  port?: number
  /** Interface to bind. Default 127.0.0.1. */
  host?: string
  /** Where messages, the default key and the lock file live. Required unless inMemory. */
  dataDir?: string
  /** Keep messages in memory only (nothing survives the process). */
  inMemory?: boolean
  /** A JSON file with policies and queues (see config/namespace-config.ts). */
  configFile?: string
  /** Queues to create (or update) at start, in addition to the config file's. */
  queues?: QueueConfig[]
  /** Policies, instead of the config file's or the default RootManageSharedAccessKey. */
  policies?: PolicyConfig[]
  logger?: EmulatorLogger
  /** Durable store: compact once the log is bigger than this (tests use a small value). */
  compactMinBytes?: number
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
  /** The connection string for a named policy (namespace or queue level). */
  connectionStringFor(policyName: string, queueName?: string): string
  connectionCount(): number
  close(): Promise<void>
}

export function connectionStringOf(endpoint: string, keyName: string, key: string, entityPath?: string): string {
  return `Endpoint=${endpoint};SharedAccessKeyName=${keyName};SharedAccessKey=${key}${entityPath ? `;EntityPath=${entityPath}` : ''};UseDevelopmentEmulator=true`
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<ServiceBusEmulator> {
  const logger = options.logger ?? silentLogger
  if (!options.inMemory && !options.dataDir) throw new ConfigError('the emulator needs a data directory unless it runs in memory')
  const serviceBusDir = options.dataDir ? join(options.dataDir, 'servicebus') : undefined
  const fileConfig = options.configFile ? readConfigFile(options.configFile) : {policies: [], queues: []}
  const policyConfigs = options.policies ?? (fileConfig.policies.length > 0 ? fileConfig.policies : [defaultPolicy(serviceBusDir)])
  const rules = policyConfigs.map(toRule)
  for (const rule of rules) {
    registerSecret(rule.primaryKey)
    registerSecret(rule.secondaryKey)
  }

  const store: MessageStore = options.inMemory
    ? new MemoryStore()
    : new DurableStore({dir: serviceBusDir!, logger, compactMinBytes: options.compactMinBytes})
  const broker = new Broker({store, propertyEditor, logger})
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
  } catch (error) {
    await broker.close()
    if (error instanceof BrokerError) throw new ConfigError(error.message)
    throw error
  }

  const policies = new NamespacePolicies(rules, broker)
  const host = options.host ?? AMQP.defaultHost
  let server
  try {
    server = await startAmqpServer({host, port: options.port ?? AMQP.defaultPort, broker, policies, logger})
  } catch (error) {
    await broker.close()
    throw error
  }
  const endpoint = `sb://${host}:${server.port}`
  const main = rules.find(rule => rule.rights.includes('Manage')) ?? rules[0]
  logger.info(`Service Bus emulator listening on ${endpoint} (${store.durable ? `data in ${serviceBusDir}` : 'in memory'})`)

  let closing: Promise<void> | undefined
  return {
    host,
    port: server.port,
    endpoint,
    connectionString: connectionStringOf(endpoint, main.keyName, main.primaryKey),
    broker,
    store,
    policies: rules,
    connectionStringFor(policyName: string, queueName?: string): string {
      const candidates = queueName ? (broker.getQueue(queueName)?.authorizationRules ?? []) : rules
      const rule = candidates.find(candidate => candidate.keyName === policyName)
      if (!rule) throw new ConfigError(`no policy named "${policyName}"${queueName ? ` on queue "${queueName}"` : ''}`)
      return connectionStringOf(endpoint, rule.keyName, rule.primaryKey, queueName)
    },
    connectionCount: () => server.connectionCount(),
    close() {
      closing ??= (async () => {
        await server.close()
        await broker.close()
        logger.info('Service Bus emulator stopped')
      })()
      return closing
    },
  }
}

export {ConfigError} from './config/namespace-config.js'
export type {PolicyConfig, QueueConfig} from './config/namespace-config.js'
export type {EmulatorLogger} from './logger.js'
export {streamLogger, silentLogger} from './logger.js'
