// TopicDescription, SubscriptionDescription and RuleDescription, the bodies of the ATOM topic,
// subscription and rule APIs: read by field name from what the SDK sends (buildTopicOptions,
// buildSubscriptionOptions, buildInternalRuleResource) and written with every field its
// buildTopic / buildSubscription / buildRule (and the runtime-properties builders) require.
import {BrokerError} from '../broker/broker-error.js'
import type {QueueRuntimeCounts} from '../broker/broker.js'
import type {EntityStatus} from '../broker/queue-properties.js'
import {CORRELATION_FIELDS, type RuleFilter, type RuleProperties} from '../broker/rules/rule.js'
import type {SqlValue} from '../broker/rules/sql-eval.js'
import type {TopicRuntimeCounts} from '../broker/topics.js'
import type {SubscriptionProperties, SubscriptionSettings, TopicProperties, TopicSettings} from '../broker/topic-properties.js'
import {ATOM} from './constants.js'
import {formatXsDuration, parseBoolean, parseInteger, parseXsDuration, ruleXml, rulesFrom} from './queue-description.js'
import {childNode, element, leaf, textOf, type XmlNode, type XmlValue} from './xml.js'

const STATUSES: readonly EntityStatus[] = ['Active', 'Disabled', 'SendDisabled', 'ReceiveDisabled']
const READ_ONLY = new Set([
  'SizeInBytes',
  'MessageCount',
  'SubscriptionCount',
  'IsAnonymousAccessible',
  'CreatedAt',
  'UpdatedAt',
  'AccessedAt',
  'CountDetails',
  'EntityAvailabilityStatus',
  'FilteringMessagesBeforePublishing',
  'IsExpress',
  'EnableSubscriptionPartitioning',
])
const iso = (ms: number) => new Date(ms).toISOString()
const badRequest = (message: string) => new BrokerError('BadRequest', message)
const XS = 'http://www.w3.org/2001/XMLSchema'

function status(text: string): EntityStatus {
  if (!STATUSES.includes(text as EntityStatus)) throw badRequest(`Status must be one of ${STATUSES.join(', ')}, got '${text}'.`)
  return text as EntityStatus
}

/** The description element inside an Atom `<entry>`, checked to be `expected`. */
export function descriptionOf(document: XmlNode, expected: string): XmlNode {
  const content = childNode(childNode(document.entry)?.content)
  const names = content ? Object.keys(content).filter(key => key !== '$' && key !== '_') : []
  if (names[0] !== expected)
    throw badRequest(`The request body must be an Atom entry whose content holds a ${expected}${names[0] ? `, not a ${names[0]}` : ''}.`)
  return childNode(content![expected]) ?? {}
}

/** Which description an entry holds (QueueDescription, TopicDescription, ...). */
export function descriptionKind(document: XmlNode): string | undefined {
  const content = childNode(childNode(document.entry)?.content)
  return content ? Object.keys(content).find(key => key !== '$' && key !== '_') : undefined
}

export function topicSettingsFrom(fields: XmlNode): TopicSettings {
  const settings: TopicSettings = {}
  for (const [name, value] of Object.entries(fields)) {
    if (name === '$' || name === '_' || READ_ONLY.has(name)) continue
    const text = textOf(value) ?? ''
    switch (name) {
      case 'DefaultMessageTimeToLive':
        settings.defaultMessageTimeToLiveMs = parseXsDuration(text, name)
        break
      case 'MaxSizeInMegabytes':
        settings.maxSizeInMegabytes = parseInteger(text, name)
        break
      case 'RequiresDuplicateDetection':
        settings.requiresDuplicateDetection = parseBoolean(text, name)
        break
      case 'DuplicateDetectionHistoryTimeWindow':
        settings.duplicateDetectionHistoryTimeWindowMs = parseXsDuration(text, name)
        break
      case 'EnableBatchedOperations':
        settings.enableBatchedOperations = parseBoolean(text, name)
        break
      case 'AuthorizationRules':
        settings.authorizationRules = rulesFrom(value)
        break
      case 'Status':
        settings.status = status(text)
        break
      case 'UserMetadata':
        settings.userMetadata = text
        break
      case 'SupportOrdering':
        settings.supportOrdering = parseBoolean(text, name)
        break
      case 'AutoDeleteOnIdle':
        settings.autoDeleteOnIdleMs = parseXsDuration(text, name)
        break
      case 'EnablePartitioning':
        settings.enablePartitioning = parseBoolean(text, name)
        break
      case 'EnableExpress':
        if (parseBoolean(text, name)) throw badRequest('EnableExpress is not supported by the emulator.')
        break
      case 'MaxMessageSizeInKilobytes':
        settings.maxMessageSizeInKilobytes = parseInteger(text, name)
        break
      default:
        throw badRequest(`Unknown TopicDescription field '${name}'.`)
    }
  }
  return settings
}

export function topicDescriptionXml(topic: TopicProperties, counts: TopicRuntimeCounts): string {
  return element(
    'TopicDescription',
    [
      leaf('DefaultMessageTimeToLive', formatXsDuration(topic.defaultMessageTimeToLiveMs)),
      leaf('MaxSizeInMegabytes', topic.maxSizeInMegabytes),
      leaf('RequiresDuplicateDetection', topic.requiresDuplicateDetection),
      leaf('DuplicateDetectionHistoryTimeWindow', formatXsDuration(topic.duplicateDetectionHistoryTimeWindowMs)),
      leaf('EnableBatchedOperations', topic.enableBatchedOperations),
      leaf('SizeInBytes', counts.sizeInBytes),
      leaf('FilteringMessagesBeforePublishing', false),
      leaf('IsAnonymousAccessible', false),
      element(
        'AuthorizationRules',
        topic.authorizationRules.map(rule => ruleXml(rule, iso(topic.updatedAt))),
      ),
      leaf('Status', topic.status),
      leaf('CreatedAt', iso(counts.createdAt)),
      leaf('UpdatedAt', iso(counts.updatedAt)),
      leaf('AccessedAt', iso(counts.accessedAt)),
      leaf('SupportOrdering', topic.supportOrdering),
      element(
        'CountDetails',
        [
          leaf('d2p1:ActiveMessageCount', 0),
          leaf('d2p1:DeadLetterMessageCount', 0),
          leaf('d2p1:ScheduledMessageCount', counts.scheduledMessageCount),
          leaf('d2p1:TransferMessageCount', 0),
          leaf('d2p1:TransferDeadLetterMessageCount', 0),
        ],
        {'xmlns:d2p1': ATOM.countDetailsNamespace},
      ),
      leaf('SubscriptionCount', counts.subscriptionCount),
      leaf('AutoDeleteOnIdle', formatXsDuration(topic.autoDeleteOnIdleMs)),
      leaf('EnablePartitioning', topic.enablePartitioning),
      leaf('IsExpress', false),
      leaf('EntityAvailabilityStatus', 'Available'),
      leaf('EnableSubscriptionPartitioning', false),
      leaf('EnableExpress', false),
      topic.userMetadata ? leaf('UserMetadata', topic.userMetadata) : '',
      leaf('MaxMessageSizeInKilobytes', topic.maxMessageSizeInKilobytes),
    ],
    {xmlns: ATOM.connectNamespace, 'xmlns:i': ATOM.instanceNamespace},
  )
}

export function subscriptionSettingsFrom(fields: XmlNode, now: number): {settings: SubscriptionSettings; defaultRule?: RuleProperties} {
  const settings: SubscriptionSettings = {}
  let defaultRule: RuleProperties | undefined
  for (const [name, value] of Object.entries(fields)) {
    if (name === '$' || name === '_' || READ_ONLY.has(name)) continue
    const text = textOf(value) ?? ''
    switch (name) {
      case 'LockDuration':
        settings.lockDurationMs = parseXsDuration(text, name)
        break
      case 'RequiresSession':
        settings.requiresSession = parseBoolean(text, name)
        break
      case 'DefaultMessageTimeToLive':
        settings.defaultMessageTimeToLiveMs = parseXsDuration(text, name)
        break
      case 'DeadLetteringOnMessageExpiration':
        settings.deadLetteringOnMessageExpiration = parseBoolean(text, name)
        break
      case 'DeadLetteringOnFilterEvaluationExceptions':
        settings.deadLetteringOnFilterEvaluationExceptions = parseBoolean(text, name)
        break
      case 'DefaultRuleDescription':
        defaultRule = ruleFrom(childNode(value) ?? {}, undefined, now)
        break
      case 'MaxDeliveryCount':
        settings.maxDeliveryCount = parseInteger(text, name)
        break
      case 'EnableBatchedOperations':
        settings.enableBatchedOperations = parseBoolean(text, name)
        break
      case 'Status':
        settings.status = status(text)
        break
      case 'ForwardTo':
        settings.forwardTo = text.trim() === '' ? undefined : text.trim()
        break
      case 'UserMetadata':
        settings.userMetadata = text
        break
      case 'ForwardDeadLetteredMessagesTo':
        settings.forwardDeadLetteredMessagesTo = text.trim() === '' ? undefined : text.trim()
        break
      case 'AutoDeleteOnIdle':
        settings.autoDeleteOnIdleMs = parseXsDuration(text, name)
        break
      default:
        throw badRequest(`Unknown SubscriptionDescription field '${name}'.`)
    }
  }
  return {settings, defaultRule}
}

export function subscriptionDescriptionXml(subscription: SubscriptionProperties, counts: QueueRuntimeCounts): string {
  return element(
    'SubscriptionDescription',
    [
      leaf('LockDuration', formatXsDuration(subscription.lockDurationMs)),
      leaf('RequiresSession', subscription.requiresSession),
      leaf('DefaultMessageTimeToLive', formatXsDuration(subscription.defaultMessageTimeToLiveMs)),
      leaf('DeadLetteringOnMessageExpiration', subscription.deadLetteringOnMessageExpiration),
      leaf('DeadLetteringOnFilterEvaluationExceptions', subscription.deadLetteringOnFilterEvaluationExceptions),
      leaf('MessageCount', counts.totalMessageCount),
      leaf('MaxDeliveryCount', subscription.maxDeliveryCount),
      leaf('EnableBatchedOperations', subscription.enableBatchedOperations),
      leaf('Status', subscription.status),
      subscription.forwardTo ? leaf('ForwardTo', subscription.forwardTo) : '',
      leaf('CreatedAt', iso(counts.createdAt)),
      leaf('UpdatedAt', iso(counts.updatedAt)),
      leaf('AccessedAt', iso(counts.accessedAt)),
      element(
        'CountDetails',
        [
          leaf('d2p1:ActiveMessageCount', counts.activeMessageCount),
          leaf('d2p1:DeadLetterMessageCount', counts.deadLetterMessageCount),
          leaf('d2p1:ScheduledMessageCount', 0),
          leaf('d2p1:TransferMessageCount', counts.transferMessageCount),
          leaf('d2p1:TransferDeadLetterMessageCount', counts.transferDeadLetterMessageCount),
        ],
        {'xmlns:d2p1': ATOM.countDetailsNamespace},
      ),
      subscription.userMetadata ? leaf('UserMetadata', subscription.userMetadata) : '',
      subscription.forwardDeadLetteredMessagesTo ? leaf('ForwardDeadLetteredMessagesTo', subscription.forwardDeadLetteredMessagesTo) : '',
      leaf('AutoDeleteOnIdle', formatXsDuration(subscription.autoDeleteOnIdleMs)),
      leaf('EntityAvailabilityStatus', 'Available'),
    ],
    {xmlns: ATOM.connectNamespace, 'xmlns:i': ATOM.instanceNamespace},
  )
}

// ---- rules ----------------------------------------------------------------------------------

function typeOf(node: XmlNode | undefined): string | undefined {
  const attributes = node?.$
  if (!attributes || typeof attributes !== 'object' || Array.isArray(attributes)) return undefined
  const type = Object.entries(attributes).find(([key]) => key === 'type' || key.endsWith(':type'))?.[1]
  return typeof type === 'string' ? type.replace(/^.*:/, '') : undefined
}

/** `<Parameters><KeyValueOfstringanyType><Key/><Value i:type="l28:string">…` as plain values. */
function keyValues(value: XmlValue | undefined): Record<string, SqlValue> | undefined {
  const container = childNode(value)
  if (!container) return undefined
  const raw = container.KeyValueOfstringanyType
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]
  const result: Record<string, SqlValue> = {}
  for (const item of list) {
    const pair = childNode(item) ?? {}
    const key = textOf(pair.Key) ?? ''
    const valueNode = pair.Value
    const text = textOf(valueNode) ?? ''
    const type = typeOf(childNode(valueNode))
    if (type === 'int' || type === 'long' || type === 'double') result[key] = Number(text)
    else if (type === 'boolean') result[key] = text === 'true'
    else if (type === 'dateTime') result[key] = new Date(text).getTime()
    else result[key] = text
  }
  return result
}

function keyValuesXml(values: Record<string, SqlValue>): string {
  return element(
    'Parameters',
    Object.entries(values).map(([key, value]) => {
      const type =
        typeof value === 'number' ? (Number.isInteger(value) ? 'int' : 'double') : typeof value === 'boolean' ? 'boolean' : 'string'
      return element('KeyValueOfstringanyType', [
        leaf('Key', key),
        leaf('Value', String(value ?? ''), {'i:type': `d6p1:${type}`, 'xmlns:d6p1': XS}),
      ])
    }),
  )
}

/** A RuleDescription (or a DefaultRuleDescription) as a rule; `name` from the URL when given. */
export function ruleFrom(fields: XmlNode, name: string | undefined, now: number): RuleProperties {
  const filterNode = childNode(fields.Filter)
  const actionNode = childNode(fields.Action)
  const ruleName = name ?? textOf(fields.Name) ?? '$Default'
  let filter: RuleFilter
  const filterType = typeOf(filterNode)
  if (!filterNode || filterType === 'TrueFilter') filter = {kind: 'true'}
  else if (filterType === 'FalseFilter') filter = {kind: 'false'}
  else if (filterType === 'SqlFilter' || filterNode.SqlExpression !== undefined) {
    const sqlExpression = textOf(filterNode.SqlExpression) ?? ''
    filter = {kind: 'sql', sqlExpression}
    const parameters = keyValues(filterNode.Parameters)
    if (parameters) filter.sqlParameters = parameters
  } else if (filterType === 'CorrelationFilter' || filterType === undefined) {
    const correlation: Extract<RuleFilter, {kind: 'correlation'}> = {kind: 'correlation'}
    const xmlName: Record<string, string> = {subject: 'Label'}
    for (const field of CORRELATION_FIELDS) {
      const text = textOf(filterNode[xmlName[field] ?? field[0].toUpperCase() + field.slice(1)])
      if (text !== undefined && text !== '') correlation[field] = text
    }
    const properties = keyValues(filterNode.Properties)
    if (properties) correlation.applicationProperties = properties as Record<string, string | number | boolean>
    filter = correlation
  } else throw badRequest(`Unknown filter type '${filterType}'.`)
  const rule: RuleProperties = {name: ruleName, filter, createdAt: now}
  if (actionNode && typeOf(actionNode) !== 'EmptyRuleAction' && actionNode.SqlExpression !== undefined) {
    rule.action = {sqlExpression: textOf(actionNode.SqlExpression) ?? ''}
    const parameters = keyValues(actionNode.Parameters)
    if (parameters) rule.action.sqlParameters = parameters
  }
  return rule
}

function filterXml(filter: RuleFilter): string {
  const typed = (type: string, content: string[]) => element('Filter', content, {'i:type': type})
  switch (filter.kind) {
    case 'true':
      return typed('TrueFilter', [leaf('SqlExpression', '1=1'), leaf('CompatibilityLevel', 20)])
    case 'false':
      return typed('FalseFilter', [leaf('SqlExpression', '1=0'), leaf('CompatibilityLevel', 20)])
    case 'sql':
      return typed('SqlFilter', [
        leaf('SqlExpression', filter.sqlExpression),
        filter.sqlParameters ? keyValuesXml(filter.sqlParameters) : '',
        leaf('CompatibilityLevel', 20),
      ])
    case 'correlation': {
      const xmlName: Record<string, string> = {subject: 'Label'}
      const order = ['correlationId', 'messageId', 'to', 'replyTo', 'subject', 'sessionId', 'replyToSessionId', 'contentType'] as const
      return typed('CorrelationFilter', [
        ...order.map(field =>
          filter[field] === undefined ? '' : leaf(xmlName[field] ?? field[0].toUpperCase() + field.slice(1), filter[field]!),
        ),
        filter.applicationProperties
          ? keyValuesXml(filter.applicationProperties)
              .replace(/^<Parameters>/, '<Properties>')
              .replace(/<\/Parameters>$/, '</Properties>')
          : '',
      ])
    }
  }
}

export function ruleDescriptionXml(rule: RuleProperties): string {
  const action = rule.action
    ? element(
        'Action',
        [
          leaf('SqlExpression', rule.action.sqlExpression),
          rule.action.sqlParameters ? keyValuesXml(rule.action.sqlParameters) : '',
          leaf('CompatibilityLevel', 20),
        ],
        {'i:type': 'SqlRuleAction'},
      )
    : element('Action', '', {'i:type': 'EmptyRuleAction'})
  return element('RuleDescription', [filterXml(rule.filter), action, leaf('CreatedAt', iso(rule.createdAt)), leaf('Name', rule.name)], {
    xmlns: ATOM.connectNamespace,
    'xmlns:i': ATOM.instanceNamespace,
  })
}
