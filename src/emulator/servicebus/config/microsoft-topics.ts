// The Topics of Microsoft's emulator Config.json: each topic's Properties, its Subscriptions
// (Properties) and their Rules, in Microsoft's formats:
//
//   {"Name": "events", "Properties": {"DefaultMessageTimeToLive": "PT1H", ...},
//    "Subscriptions": [{"Name": "all", "Properties": {"LockDuration": "PT1M", "MaxDeliveryCount": 3},
//      "Rules": [{"Name": "red", "Properties": {"FilterType": "Sql", "SqlFilter": {"SqlExpression": "color = 'red'"},
//                 "Action": {"SqlExpression": "SET seen = 1"}}},
//                {"Name": "eu", "Properties": {"FilterType": "Correlation",
//                 "CorrelationFilter": {"Label": "order", "Properties": {"region": "eu"}}}}]}]}
//
// A subscription without Rules gets the $Default rule, as in Azure.
import type {RuleFilter, RuleProperties} from '../broker/rules/rule.js'
import type {SubscriptionSettings, TopicSettings} from '../broker/topic-properties.js'
import {parseDurationMs} from './durations.js'
import {ConfigError} from './namespace-config.js'

export interface TopicConfig {
  name: string
  settings: TopicSettings
  subscriptions: Array<{name: string; settings: SubscriptionSettings; rules?: RuleProperties[]}>
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

type Kind = 'duration' | 'boolean' | 'integer' | 'string'
const TOPIC_FIELDS: Record<string, [keyof TopicSettings, Kind]> = {
  DefaultMessageTimeToLive: ['defaultMessageTimeToLiveMs', 'duration'],
  DuplicateDetectionHistoryTimeWindow: ['duplicateDetectionHistoryTimeWindowMs', 'duration'],
  RequiresDuplicateDetection: ['requiresDuplicateDetection', 'boolean'],
  MaxSizeInMegabytes: ['maxSizeInMegabytes', 'integer'],
  MaxMessageSizeInKilobytes: ['maxMessageSizeInKilobytes', 'integer'],
  EnableBatchedOperations: ['enableBatchedOperations', 'boolean'],
  SupportOrdering: ['supportOrdering', 'boolean'],
  EnablePartitioning: ['enablePartitioning', 'boolean'],
  AutoDeleteOnIdle: ['autoDeleteOnIdleMs', 'duration'],
  Status: ['status', 'string'],
  UserMetadata: ['userMetadata', 'string'],
}
const SUBSCRIPTION_FIELDS: Record<string, [keyof SubscriptionSettings, Kind]> = {
  DeadLetteringOnMessageExpiration: ['deadLetteringOnMessageExpiration', 'boolean'],
  DeadLetteringOnFilterEvaluationExceptions: ['deadLetteringOnFilterEvaluationExceptions', 'boolean'],
  DefaultMessageTimeToLive: ['defaultMessageTimeToLiveMs', 'duration'],
  LockDuration: ['lockDurationMs', 'duration'],
  MaxDeliveryCount: ['maxDeliveryCount', 'integer'],
  RequiresSession: ['requiresSession', 'boolean'],
  EnableBatchedOperations: ['enableBatchedOperations', 'boolean'],
  AutoDeleteOnIdle: ['autoDeleteOnIdleMs', 'duration'],
  Status: ['status', 'string'],
  UserMetadata: ['userMetadata', 'string'],
  ForwardTo: ['forwardTo', 'string'],
  ForwardDeadLetteredMessagesTo: ['forwardDeadLetteredMessagesTo', 'string'],
}

function converted(value: unknown, kind: Kind, where: string): unknown {
  if (kind === 'duration') return parseDurationMs(value, where)
  if (kind === 'boolean' && typeof value !== 'boolean') throw new ConfigError(`${where} must be true or false`)
  if (kind === 'integer' && !Number.isInteger(value)) throw new ConfigError(`${where} must be a whole number`)
  if (kind === 'string' && typeof value !== 'string') throw new ConfigError(`${where} must be a string`)
  return value
}

function properties<T>(value: unknown, fields: Record<string, [keyof T, Kind]>, where: string): T {
  const result = {} as Record<string, unknown>
  if (value === undefined) return result as T
  if (!isObject(value)) throw new ConfigError(`${where}: "Properties" must be an object`)
  for (const [key, setting] of Object.entries(value)) {
    const field = fields[key]
    if (!field) throw new ConfigError(`${where} has unknown property ${key} (known: ${Object.keys(fields).join(', ')})`)
    // Microsoft's sample files carry "" for no forwarding.
    if (setting === '' && field[1] === 'string' && key.startsWith('Forward')) continue
    result[field[0] as string] = converted(setting, field[1], `${where}: ${key}`)
  }
  return result as T
}

const CORRELATION: Record<string, string> = {
  ContentType: 'contentType',
  CorrelationId: 'correlationId',
  Label: 'subject',
  MessageId: 'messageId',
  ReplyTo: 'replyTo',
  ReplyToSessionId: 'replyToSessionId',
  SessionId: 'sessionId',
  To: 'to',
}

function rule(value: unknown, where: string): RuleProperties {
  if (!isObject(value) || typeof value.Name !== 'string') throw new ConfigError(`${where} needs a "Name"`)
  const props = value.Properties
  if (!isObject(props)) throw new ConfigError(`${where} (rule "${value.Name}") needs "Properties" with a FilterType`)
  let filter: RuleFilter
  if (props.FilterType === 'Sql') {
    const sql = props.SqlFilter
    if (!isObject(sql) || typeof sql.SqlExpression !== 'string') throw new ConfigError(`${where}: a Sql rule needs SqlFilter.SqlExpression`)
    filter = {kind: 'sql', sqlExpression: sql.SqlExpression}
  } else if (props.FilterType === 'Correlation') {
    const correlation = props.CorrelationFilter
    if (!isObject(correlation)) throw new ConfigError(`${where}: a Correlation rule needs CorrelationFilter`)
    const result: Extract<RuleFilter, {kind: 'correlation'}> = {kind: 'correlation'}
    for (const [key, setting] of Object.entries(correlation)) {
      if (key === 'Properties') {
        if (!isObject(setting)) throw new ConfigError(`${where}: CorrelationFilter.Properties must be an object`)
        result.applicationProperties = setting as Record<string, string | number | boolean>
        continue
      }
      const field = CORRELATION[key]
      if (!field) throw new ConfigError(`${where}: unknown CorrelationFilter field ${key}`)
      if (setting !== '' && setting !== null) (result as Record<string, unknown>)[field] = String(setting)
    }
    filter = result
  } else throw new ConfigError(`${where}: FilterType must be "Sql" or "Correlation"`)
  const properties: RuleProperties = {name: value.Name, filter, createdAt: Date.now()}
  if (isObject(props.Action) && typeof props.Action.SqlExpression === 'string' && props.Action.SqlExpression !== '')
    properties.action = {sqlExpression: props.Action.SqlExpression}
  return properties
}

const list = (value: unknown, where: string): unknown[] => {
  if (value === undefined) return []
  if (!Array.isArray(value)) throw new ConfigError(`${where} must be a list`)
  return value
}

export function convertTopic(value: unknown, where: string): TopicConfig {
  if (!isObject(value) || typeof value.Name !== 'string' || value.Name === '') throw new ConfigError(`${where} needs a "Name"`)
  const name = value.Name
  return {
    name,
    settings: properties<TopicSettings>(value.Properties, TOPIC_FIELDS, `topic "${name}"`),
    subscriptions: list(value.Subscriptions, `${where}.Subscriptions`).map((subscription, i) => {
      const at = `${where}.Subscriptions[${i}]`
      if (!isObject(subscription) || typeof subscription.Name !== 'string') throw new ConfigError(`${at} needs a "Name"`)
      const rules =
        subscription.Rules === undefined
          ? undefined
          : list(subscription.Rules, `${at}.Rules`).map((item, j) => rule(item, `${at}.Rules[${j}]`))
      return {
        name: subscription.Name,
        settings: properties<SubscriptionSettings>(
          subscription.Properties,
          SUBSCRIPTION_FIELDS,
          `subscription "${name}/${subscription.Name}"`,
        ),
        rules,
      }
    }),
  }
}
