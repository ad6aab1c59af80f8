// The emulator's configuration: policies (name, key, rights) and queues with their properties,
// from a JSON file or given inline. Without policies, the namespace gets RootManageSharedAccessKey
// with a random key created once and kept in the data directory (or per process in memory).
//
// {"policies": [{"name": "RootManageSharedAccessKey", "key": "...", "rights": ["Manage", "Listen", "Send"]}],
//  "queues": [{"name": "jobs", "lockDuration": "PT30S", "maxDeliveryCount": 5,
//              "policies": [{"name": "worker", "key": "...", "rights": ["Listen"]}]}]}
import {randomBytes} from 'node:crypto'
import {closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync} from 'node:fs'
import {join} from 'node:path'

import type {AccessRight, AuthorizationRule, EntityStatus, QueueSettings} from '../broker/queue-properties.js'
import {NAMESPACE} from '../constants.js'
import {StartRefusedError} from '../start-refused.js'
import {parseDurationMs} from './durations.js'
import {fromMicrosoftConfig, isMicrosoftConfig} from './microsoft-config.js'

export interface PolicyConfig {
  name: string
  key: string
  secondaryKey?: string
  rights: AccessRight[]
}

/** A queue as the config declares it; field names follow the SDK's CreateQueueOptions. */
export interface QueueConfig {
  name: string
  lockDuration?: string | number
  maxSizeInMegabytes?: number
  maxDeliveryCount?: number
  requiresSession?: boolean
  requiresDuplicateDetection?: boolean
  defaultMessageTimeToLive?: string | number
  duplicateDetectionHistoryTimeWindow?: string | number
  deadLetteringOnMessageExpiration?: boolean
  maxMessageSizeInKilobytes?: number
  enableBatchedOperations?: boolean
  status?: EntityStatus
  userMetadata?: string
  /** Auto-forwarding: a queue or topic name. */
  forwardTo?: string
  forwardDeadLetteredMessagesTo?: string
  policies?: PolicyConfig[]
}

import type {TopicConfig} from './microsoft-topics.js'

export interface NamespaceConfig {
  policies: PolicyConfig[]
  queues: QueueConfig[]
  /** Topics with their subscriptions and rules (Microsoft's format only). */
  topics?: TopicConfig[]
  /** What the file declares that the emulator does not serve. */
  warnings?: string[]
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

const RIGHTS: readonly AccessRight[] = ['Listen', 'Send', 'Manage']
const QUEUE_FIELDS = new Set([
  'name',
  'lockDuration',
  'maxSizeInMegabytes',
  'maxDeliveryCount',
  'requiresSession',
  'requiresDuplicateDetection',
  'defaultMessageTimeToLive',
  'duplicateDetectionHistoryTimeWindow',
  'deadLetteringOnMessageExpiration',
  'maxMessageSizeInKilobytes',
  'enableBatchedOperations',
  'status',
  'userMetadata',
  'policies',
])

function checkPolicy(value: unknown, where: string): PolicyConfig {
  const policy = value as Partial<PolicyConfig> | null
  if (!policy || typeof policy.name !== 'string' || policy.name === '') throw new ConfigError(`${where}: a policy needs a "name"`)
  if (typeof policy.key !== 'string' || policy.key.length < 8)
    throw new ConfigError(`${where}: policy "${policy.name}" needs a "key" of at least 8 characters`)
  if (!Array.isArray(policy.rights) || policy.rights.length === 0 || !policy.rights.every(right => RIGHTS.includes(right))) {
    throw new ConfigError(`${where}: policy "${policy.name}" needs "rights", some of ${RIGHTS.join(', ')}`)
  }
  return {name: policy.name, key: policy.key, secondaryKey: policy.secondaryKey, rights: [...policy.rights]}
}

export function checkConfig(data: unknown, source = 'config'): NamespaceConfig {
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new ConfigError(`${source} must hold a JSON object`)
  const {policies = [], queues = []} = data as {policies?: unknown; queues?: unknown}
  if (!Array.isArray(policies)) throw new ConfigError(`${source}: "policies" must be a list`)
  if (!Array.isArray(queues)) throw new ConfigError(`${source}: "queues" must be a list`)
  const checkedQueues = queues.map((queue: unknown, i: number) => {
    const item = queue as QueueConfig | null
    if (!item || typeof item.name !== 'string') throw new ConfigError(`${source}: queues[${i}] needs a "name"`)
    const unknown = Object.keys(item).filter(key => !QUEUE_FIELDS.has(key))
    if (unknown.length > 0) throw new ConfigError(`${source}: queue "${item.name}" has unknown field(s) ${unknown.join(', ')}`)
    return {...item, policies: (item.policies ?? []).map((policy, j) => checkPolicy(policy, `${source}: queues[${i}].policies[${j}]`))}
  })
  return {policies: policies.map((policy, i) => checkPolicy(policy, `${source}: policies[${i}]`)), queues: checkedQueues}
}

/** Our format, or Microsoft's emulator Config.json (see microsoft-config.ts). */
export function readConfigFile(path: string): NamespaceConfig {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new ConfigError(`cannot read the emulator config ${path}: ${(error as Error).message}`)
  }
  try {
    const data: unknown = JSON.parse(text)
    return isMicrosoftConfig(data) ? fromMicrosoftConfig(data, path) : checkConfig(data, path)
  } catch (error) {
    if (error instanceof ConfigError) throw error
    throw new ConfigError(`${path} is not valid JSON: ${(error as Error).message}`)
  }
}

export function toRule(policy: PolicyConfig): AuthorizationRule {
  return {keyName: policy.name, primaryKey: policy.key, secondaryKey: policy.secondaryKey, rights: policy.rights}
}

/** A queue config entry as broker settings (durations in milliseconds). */
export function toQueueSettings(queue: QueueConfig): QueueSettings {
  const settings: QueueSettings = {}
  const where = `queue "${queue.name}"`
  try {
    if (queue.lockDuration !== undefined) settings.lockDurationMs = parseDurationMs(queue.lockDuration, `${where} lockDuration`)
    if (queue.defaultMessageTimeToLive !== undefined)
      settings.defaultMessageTimeToLiveMs = parseDurationMs(queue.defaultMessageTimeToLive, `${where} defaultMessageTimeToLive`)
    if (queue.duplicateDetectionHistoryTimeWindow !== undefined) {
      settings.duplicateDetectionHistoryTimeWindowMs = parseDurationMs(
        queue.duplicateDetectionHistoryTimeWindow,
        `${where} duplicateDetectionHistoryTimeWindow`,
      )
    }
  } catch (error) {
    throw new ConfigError((error as Error).message)
  }
  for (const key of [
    'maxSizeInMegabytes',
    'maxDeliveryCount',
    'requiresSession',
    'requiresDuplicateDetection',
    'deadLetteringOnMessageExpiration',
    'maxMessageSizeInKilobytes',
    'enableBatchedOperations',
    'status',
    'userMetadata',
    'forwardTo',
    'forwardDeadLetteredMessagesTo',
  ] as const) {
    if (queue[key] !== undefined) (settings as Record<string, unknown>)[key] = queue[key]
  }
  settings.authorizationRules = (queue.policies ?? []).map(toRule)
  return settings
}

/**
 * The default policy, its key created once and kept in `dir` (no dir: a key for this process).
 * A namespace file that is there but empty or damaged is not replaced: every saved connection
 * string holds its key. `resetKeys` makes a new key on purpose.
 */
export function defaultPolicy(dir: string | undefined, resetKeys = false): PolicyConfig {
  const rights: AccessRight[] = ['Manage', 'Listen', 'Send']
  const generate = () => randomBytes(NAMESPACE.generatedKeyBytes).toString('base64')
  if (!dir) return {name: NAMESPACE.defaultPolicyName, key: generate(), rights}
  const path = join(dir, NAMESPACE.namespaceFileName)
  if (!resetKeys) {
    let text: string | undefined
    try {
      text = readFileSync(path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    if (text !== undefined) {
      const saved = savedKey(text)
      if (saved) return {name: saved.policyName ?? NAMESPACE.defaultPolicyName, key: saved.key, rights}
      throw new StartRefusedError(
        `${path} is ${text.trim() === '' ? 'empty' : 'damaged'}, so the namespace key that saved connection strings use cannot be read; nothing was changed`,
        'Restore the file from a backup, or start with --reset-keys to make a new key (connection strings saved before stop working).',
      )
    }
  }
  const key = generate()
  mkdirSync(dir, {recursive: true, mode: 0o700})
  // Written aside and renamed: a crash mid-write leaves the old file or the new one, never an empty one.
  const temporary = `${path}.tmp`
  const fd = openSync(temporary, 'w', 0o600)
  try {
    writeSync(fd, `${JSON.stringify({policyName: NAMESPACE.defaultPolicyName, key}, null, 2)}\n`)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(temporary, path)
  return {name: NAMESPACE.defaultPolicyName, key, rights}
}

function savedKey(text: string): {policyName?: string; key: string} | undefined {
  try {
    const saved = JSON.parse(text) as {policyName?: unknown; key?: unknown} | null
    if (saved && typeof saved.key === 'string' && saved.key.length >= 8)
      return {policyName: typeof saved.policyName === 'string' ? saved.policyName : undefined, key: saved.key}
  } catch {
    return undefined
  }
  return undefined
}
