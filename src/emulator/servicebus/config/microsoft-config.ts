// Microsoft's Service Bus emulator config (the Config.json its container reads), turned into ours,
// so a team can point `qjob emulator start --config` at the file it already has:
//
// {"UserConfig": {"Namespaces": [{"Name": "sbemulatorns",
//     "Queues": [{"Name": "jobs", "Properties": {"LockDuration": "PT1M", "MaxDeliveryCount": 3, ...}}],
//     "Topics": [{"Name": "events", "Subscriptions": [...]}]}],
//   "Logging": {"Type": "File"}}}
//
// Queue properties map one to one onto ours (PascalCase -> camelCase). The namespace name and
// Logging are accepted and ignored (the emulator has one namespace; its log is `emulator.log`).
// Topics, their subscriptions and rules are created as the file says (microsoft-topics.ts).
// ForwardTo / ForwardDeadLetteredMessagesTo forward (broker/forwarding.ts); "" means none.
import {convertTopic} from './microsoft-topics.js'
import {ConfigError, type NamespaceConfig, type QueueConfig} from './namespace-config.js'

/** Our field for each property Microsoft's emulator (or ARM) names in a queue's `Properties`. */
const QUEUE_PROPERTIES: Record<string, keyof QueueConfig> = {
  DeadLetteringOnMessageExpiration: 'deadLetteringOnMessageExpiration',
  DefaultMessageTimeToLive: 'defaultMessageTimeToLive',
  DuplicateDetectionHistoryTimeWindow: 'duplicateDetectionHistoryTimeWindow',
  LockDuration: 'lockDuration',
  MaxDeliveryCount: 'maxDeliveryCount',
  RequiresDuplicateDetection: 'requiresDuplicateDetection',
  RequiresSession: 'requiresSession',
  MaxSizeInMegabytes: 'maxSizeInMegabytes',
  MaxMessageSizeInKilobytes: 'maxMessageSizeInKilobytes',
  EnableBatchedOperations: 'enableBatchedOperations',
  Status: 'status',
  UserMetadata: 'userMetadata',
  ForwardTo: 'forwardTo',
  ForwardDeadLetteredMessagesTo: 'forwardDeadLetteredMessagesTo',
}
/** Microsoft's sample files carry "" for "no forwarding". */
const FORWARDING = ['ForwardTo', 'ForwardDeadLetteredMessagesTo']
const NAMESPACE_FIELDS = new Set(['Name', 'Queues', 'Topics'])
const USER_CONFIG_FIELDS = new Set(['Namespaces', 'Logging'])

export interface ConvertedConfig extends NamespaceConfig {
  /** Things in the file the emulator does not serve (topics), one line each, for the user to see. */
  warnings: string[]
}

/** Whether parsed JSON is in Microsoft's format (a top-level `UserConfig`). */
export function isMicrosoftConfig(data: unknown): boolean {
  return typeof data === 'object' && data !== null && !Array.isArray(data) && 'UserConfig' in data
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

function listOf(value: unknown, where: string): unknown[] {
  if (value === undefined) return []
  if (!Array.isArray(value)) throw new ConfigError(`${where} must be a list`)
  return value
}

function convertQueue(value: unknown, where: string): QueueConfig {
  if (!isObject(value) || typeof value.Name !== 'string' || value.Name === '') throw new ConfigError(`${where} needs a "Name"`)
  const name = value.Name
  const unknownFields = Object.keys(value).filter(key => key !== 'Name' && key !== 'Properties')
  if (unknownFields.length > 0) throw new ConfigError(`${where} (queue "${name}") has unknown field(s) ${unknownFields.join(', ')}`)
  const properties = value.Properties ?? {}
  if (!isObject(properties)) throw new ConfigError(`${where} (queue "${name}"): "Properties" must be an object`)
  const queue: QueueConfig = {name}
  for (const [key, setting] of Object.entries(properties)) {
    if (FORWARDING.includes(key) && (setting === '' || setting === null || setting === undefined)) continue
    const field = QUEUE_PROPERTIES[key]
    if (!field) throw new ConfigError(`queue "${name}" has unknown property ${key} (known: ${Object.keys(QUEUE_PROPERTIES).join(', ')})`)
    ;(queue as unknown as Record<string, unknown>)[field] = setting
  }
  return queue
}

/** Microsoft's format as ours; `source` names the file in messages. */
export function fromMicrosoftConfig(data: unknown, source = 'config'): ConvertedConfig {
  const userConfig = isObject(data) ? data.UserConfig : undefined
  if (!isObject(userConfig)) throw new ConfigError(`${source}: "UserConfig" must be an object`)
  const extra = Object.keys(userConfig).filter(key => !USER_CONFIG_FIELDS.has(key))
  if (extra.length > 0) throw new ConfigError(`${source}: UserConfig has unknown field(s) ${extra.join(', ')}`)
  const namespaces = listOf(userConfig.Namespaces, `${source}: UserConfig.Namespaces`)
  if (namespaces.length > 1)
    throw new ConfigError(
      `${source}: UserConfig.Namespaces holds ${namespaces.length} namespaces; the emulator (like Microsoft's) serves one`,
    )
  const queues: QueueConfig[] = []
  const topics: NamespaceConfig['topics'] = []
  for (const [i, namespace] of namespaces.entries()) {
    const where = `${source}: UserConfig.Namespaces[${i}]`
    if (!isObject(namespace)) throw new ConfigError(`${where} must be an object`)
    const unknownFields = Object.keys(namespace).filter(key => !NAMESPACE_FIELDS.has(key))
    if (unknownFields.length > 0) throw new ConfigError(`${where} has unknown field(s) ${unknownFields.join(', ')}`)
    listOf(namespace.Queues, `${where}.Queues`).forEach((queue, j) => queues.push(convertQueue(queue, `${where}.Queues[${j}]`)))
    listOf(namespace.Topics, `${where}.Topics`).forEach((topic, j) => topics.push(convertTopic(topic, `${where}.Topics[${j}]`)))
  }
  return {policies: [], queues, topics, warnings: []}
}
