// The ARM surface's topics, topic authorization rules, subscriptions and subscription rules, as
// @azure/arm-servicebus calls them (api-version 2021-11-01 shapes):
//   /topics[/{topic}[/authorizationRules[/{rule}[/listKeys]] | /subscriptions[/{sub}[/rules[/{rule}]]]]]
import {randomBytes} from 'node:crypto'
import type {IncomingMessage} from 'node:http'

import type {Broker} from '../broker/broker.js'
import type {AuthorizationRule} from '../broker/queue-properties.js'
import type {RuleFilter, RuleProperties} from '../broker/rules/rule.js'
import type {SubscriptionProperties, SubscriptionSettings, TopicProperties, TopicSettings} from '../broker/topic-properties.js'
import {formatIsoDuration} from '../../../common/duration.js'
import {parseDurationMs} from '../config/durations.js'
import {ArmError, parseRights, readJson} from './arm-api.js'
import {type ArmScopePath, keysResource, namespaceId} from './arm-resources.js'

export interface TopicRouteInput {
  broker: Broker
  scope: ArmScopePath
  method: string
  /** Decoded path segments after the namespace, resource segments canonical (`topics`, ...). */
  parts: string[]
  request: IncomingMessage
  connectionString: (keyName: string, key: string, entity?: string) => string
}

const iso = (ms: number) => new Date(ms).toISOString()
const notFound = (what: string) => new ArmError(404, 'ResourceNotFound', `The ${what} could not be found.`)
const notAllowed = (method: string) => new ArmError(405, 'MethodNotAllowed', `${method} is not allowed here.`)

function settingsOf<T>(properties: Record<string, unknown>, durations: Record<string, string>, plain: readonly string[]): T {
  const settings: Record<string, unknown> = {}
  for (const [arm, field] of Object.entries(durations)) {
    if (properties[arm] !== undefined && properties[arm] !== null) settings[field] = parseDurationMs(properties[arm], arm)
  }
  for (const field of plain) if (properties[field] !== undefined && properties[field] !== null) settings[field] = properties[field]
  return settings as T
}

const TOPIC_DURATIONS = {
  defaultMessageTimeToLive: 'defaultMessageTimeToLiveMs',
  duplicateDetectionHistoryTimeWindow: 'duplicateDetectionHistoryTimeWindowMs',
  autoDeleteOnIdle: 'autoDeleteOnIdleMs',
}
const TOPIC_PLAIN = [
  'maxSizeInMegabytes',
  'maxMessageSizeInKilobytes',
  'requiresDuplicateDetection',
  'enableBatchedOperations',
  'status',
  'supportOrdering',
  'enablePartitioning',
] as const
const SUBSCRIPTION_DURATIONS = {
  lockDuration: 'lockDurationMs',
  defaultMessageTimeToLive: 'defaultMessageTimeToLiveMs',
  autoDeleteOnIdle: 'autoDeleteOnIdleMs',
}
const SUBSCRIPTION_PLAIN = [
  'requiresSession',
  'deadLetteringOnMessageExpiration',
  'deadLetteringOnFilterEvaluationExceptions',
  'maxDeliveryCount',
  'status',
  'enableBatchedOperations',
  'forwardTo',
  'forwardDeadLetteredMessagesTo',
] as const

function topicResource(scope: ArmScopePath, topic: TopicProperties, broker: Broker): Record<string, unknown> {
  const counts = broker.topics.runtimeCounts(topic.name)
  return {
    id: `${namespaceId(scope)}/topics/${topic.name}`,
    name: topic.name,
    type: 'Microsoft.ServiceBus/Namespaces/Topics',
    location: 'local',
    properties: {
      sizeInBytes: counts.sizeInBytes,
      createdAt: iso(counts.createdAt),
      updatedAt: iso(counts.updatedAt),
      accessedAt: iso(counts.accessedAt),
      subscriptionCount: counts.subscriptionCount,
      countDetails: {
        activeMessageCount: 0,
        deadLetterMessageCount: 0,
        scheduledMessageCount: counts.scheduledMessageCount,
        transferMessageCount: 0,
        transferDeadLetterMessageCount: 0,
      },
      defaultMessageTimeToLive: formatIsoDuration(topic.defaultMessageTimeToLiveMs),
      maxMessageSizeInKilobytes: topic.maxMessageSizeInKilobytes,
      maxSizeInMegabytes: topic.maxSizeInMegabytes,
      requiresDuplicateDetection: topic.requiresDuplicateDetection,
      duplicateDetectionHistoryTimeWindow: formatIsoDuration(topic.duplicateDetectionHistoryTimeWindowMs),
      enableBatchedOperations: topic.enableBatchedOperations,
      status: topic.status,
      supportOrdering: topic.supportOrdering,
      autoDeleteOnIdle: formatIsoDuration(topic.autoDeleteOnIdleMs),
      enablePartitioning: topic.enablePartitioning,
      enableExpress: false,
    },
  }
}

function subscriptionResource(scope: ArmScopePath, subscription: SubscriptionProperties, broker: Broker): Record<string, unknown> {
  const counts = broker.topics.requireSubscription(subscription.topicName, subscription.subscriptionName).runtimeCounts()
  return {
    id: `${namespaceId(scope)}/topics/${subscription.topicName}/subscriptions/${subscription.subscriptionName}`,
    name: subscription.subscriptionName,
    type: 'Microsoft.ServiceBus/Namespaces/Topics/Subscriptions',
    location: 'local',
    properties: {
      messageCount: counts.totalMessageCount,
      createdAt: iso(counts.createdAt),
      accessedAt: iso(counts.accessedAt),
      updatedAt: iso(counts.updatedAt),
      countDetails: {
        activeMessageCount: counts.activeMessageCount,
        deadLetterMessageCount: counts.deadLetterMessageCount,
        scheduledMessageCount: 0,
        transferMessageCount: counts.transferMessageCount,
        transferDeadLetterMessageCount: counts.transferDeadLetterMessageCount,
      },
      lockDuration: formatIsoDuration(subscription.lockDurationMs),
      requiresSession: subscription.requiresSession,
      defaultMessageTimeToLive: formatIsoDuration(subscription.defaultMessageTimeToLiveMs),
      deadLetteringOnFilterEvaluationExceptions: subscription.deadLetteringOnFilterEvaluationExceptions,
      deadLetteringOnMessageExpiration: subscription.deadLetteringOnMessageExpiration,
      maxDeliveryCount: subscription.maxDeliveryCount,
      status: subscription.status,
      enableBatchedOperations: subscription.enableBatchedOperations,
      autoDeleteOnIdle: formatIsoDuration(subscription.autoDeleteOnIdleMs),
      forwardTo: subscription.forwardTo,
      forwardDeadLetteredMessagesTo: subscription.forwardDeadLetteredMessagesTo,
      isClientAffine: false,
    },
  }
}

const CORRELATION_ARM: Record<string, string> = {
  correlationId: 'correlationId',
  messageId: 'messageId',
  to: 'to',
  replyTo: 'replyTo',
  label: 'subject',
  sessionId: 'sessionId',
  replyToSessionId: 'replyToSessionId',
  contentType: 'contentType',
}

function ruleOf(name: string, properties: Record<string, unknown>, now: number): RuleProperties {
  const sql = properties.sqlFilter as Record<string, unknown> | undefined
  const correlation = properties.correlationFilter as Record<string, unknown> | undefined
  let filter: RuleFilter
  if (properties.filterType === 'CorrelationFilter' || (correlation && properties.filterType !== 'SqlFilter')) {
    const result: Record<string, unknown> = {kind: 'correlation'}
    for (const [arm, field] of Object.entries(CORRELATION_ARM)) if (typeof correlation?.[arm] === 'string') result[field] = correlation[arm]
    if (correlation?.properties && typeof correlation.properties === 'object') result.applicationProperties = correlation.properties
    filter = result as RuleFilter
  } else filter = {kind: 'sql', sqlExpression: String(sql?.sqlExpression ?? '1=1')}
  const rule: RuleProperties = {name, filter, createdAt: now}
  const action = properties.action as Record<string, unknown> | undefined
  if (typeof action?.sqlExpression === 'string' && action.sqlExpression !== '') rule.action = {sqlExpression: action.sqlExpression}
  return rule
}

function ruleResource(scope: ArmScopePath, topic: string, subscription: string, rule: RuleProperties): Record<string, unknown> {
  const {filter} = rule
  const properties: Record<string, unknown> = {
    action: rule.action ? {sqlExpression: rule.action.sqlExpression, compatibilityLevel: 20} : {},
  }
  if (filter.kind === 'correlation') {
    const correlation: Record<string, unknown> = {}
    for (const [arm, field] of Object.entries(CORRELATION_ARM)) {
      const value = (filter as Record<string, unknown>)[field]
      if (value !== undefined) correlation[arm] = value
    }
    if (filter.applicationProperties) correlation.properties = filter.applicationProperties
    Object.assign(properties, {filterType: 'CorrelationFilter', correlationFilter: correlation})
  } else {
    const sqlExpression = filter.kind === 'sql' ? filter.sqlExpression : filter.kind === 'true' ? '1=1' : '1=0'
    Object.assign(properties, {filterType: 'SqlFilter', sqlFilter: {sqlExpression, compatibilityLevel: 20}})
  }
  return {
    id: `${namespaceId(scope)}/topics/${topic}/subscriptions/${subscription}/rules/${rule.name}`,
    name: rule.name,
    type: 'Microsoft.ServiceBus/Namespaces/Topics/Subscriptions/Rules',
    properties,
  }
}

function topicRuleResource(scope: ArmScopePath, topic: string, rule: AuthorizationRule): Record<string, unknown> {
  return {
    id: `${namespaceId(scope)}/topics/${topic}/authorizationRules/${rule.keyName}`,
    name: rule.keyName,
    type: 'Microsoft.ServiceBus/Namespaces/Topics/AuthorizationRules',
    properties: {rights: rule.rights},
  }
}

export async function routeTopics(input: TopicRouteInput): Promise<[number, unknown?]> {
  const {broker, scope, method, parts, request} = input
  const {topics} = broker
  const [, topicName, sub, childName, child, grandchildName] = parts
  const body = async () => ((await readJson(request)).properties ?? {}) as Record<string, unknown>
  const requireTopic = (name: string) =>
    topics.get(name) ??
    (() => {
      throw notFound(`topic '${name}'`)
    })()
  if (topicName === undefined) {
    if (method !== 'GET') throw notAllowed(method)
    return [200, {value: topics.list().map(topic => topicResource(scope, topic, broker))}]
  }
  if (sub === undefined) {
    if (method === 'GET') return [200, topicResource(scope, requireTopic(topicName), broker)]
    if (method === 'DELETE') {
      if (!topics.get(topicName)) return [204]
      await topics.delete(topicName)
      return [200]
    }
    if (method !== 'PUT') throw notAllowed(method)
    const settings = settingsOf<TopicSettings>(await body(), TOPIC_DURATIONS, TOPIC_PLAIN)
    const topic = topics.get(topicName) ? await topics.update(topicName, settings) : await topics.create(topicName, settings)
    return [200, topicResource(scope, topic, broker)]
  }
  if (sub === 'authorizationRules') {
    const rules = requireTopic(topicName).authorizationRules
    if (childName === undefined) return [200, {value: rules.map(rule => topicRuleResource(scope, topicName, rule))}]
    const existing = rules.find(rule => rule.keyName === childName)
    if (child === 'listKeys' && method === 'POST') {
      if (!existing) throw notFound(`authorization rule '${childName}' of topic '${topicName}'`)
      return [200, keysResource(existing, key => input.connectionString(existing.keyName, key, topicName))]
    }
    if (child !== undefined) throw notFound(`action '${child}'`)
    if (method === 'GET') {
      if (!existing) throw notFound(`authorization rule '${childName}' of topic '${topicName}'`)
      return [200, topicRuleResource(scope, topicName, existing)]
    }
    if (method === 'DELETE') {
      if (!existing) return [204]
      await topics.update(topicName, {authorizationRules: rules.filter(rule => rule.keyName !== childName)})
      return [200]
    }
    if (method !== 'PUT') throw notAllowed(method)
    const rights = parseRights((await body()).rights)
    const rule: AuthorizationRule = existing
      ? {...existing, rights}
      : {keyName: childName, rights, primaryKey: randomBytes(32).toString('base64'), secondaryKey: randomBytes(32).toString('base64')}
    await topics.update(topicName, {authorizationRules: [...rules.filter(candidate => candidate.keyName !== childName), rule]})
    return [200, topicRuleResource(scope, topicName, rule)]
  }
  if (sub !== 'subscriptions') throw notFound(`resource '${sub}'`)
  requireTopic(topicName)
  if (childName === undefined) {
    if (method !== 'GET') throw notAllowed(method)
    return [200, {value: topics.listSubscriptions(topicName).map(subscription => subscriptionResource(scope, subscription, broker))}]
  }
  if (child === undefined) {
    const existing = topics.getSubscription(topicName, childName)
    if (method === 'GET') {
      if (!existing) throw notFound(`subscription '${childName}' of topic '${topicName}'`)
      return [200, subscriptionResource(scope, existing, broker)]
    }
    if (method === 'DELETE') {
      if (!existing) return [204]
      await topics.deleteSubscription(topicName, childName)
      return [200]
    }
    if (method !== 'PUT') throw notAllowed(method)
    const settings = settingsOf<SubscriptionSettings>(await body(), SUBSCRIPTION_DURATIONS, SUBSCRIPTION_PLAIN)
    broker.requireForwardTargets(settings)
    const subscription = existing
      ? await topics.updateSubscription(topicName, childName, settings)
      : await topics.createSubscription(topicName, childName, settings)
    return [200, subscriptionResource(scope, subscription, broker)]
  }
  if (child !== 'rules') throw notFound(`resource '${child}'`)
  if (!topics.getSubscription(topicName, childName)) throw notFound(`subscription '${childName}' of topic '${topicName}'`)
  if (grandchildName === undefined) {
    if (method !== 'GET') throw notAllowed(method)
    return [200, {value: topics.listRules(topicName, childName).map(rule => ruleResource(scope, topicName, childName, rule))}]
  }
  const existing = topics.getRule(topicName, childName, grandchildName)
  if (method === 'GET') {
    if (!existing) throw notFound(`rule '${grandchildName}'`)
    return [200, ruleResource(scope, topicName, childName, existing)]
  }
  if (method === 'DELETE') {
    if (!existing) return [204]
    await topics.deleteRule(topicName, childName, grandchildName)
    return [200]
  }
  if (method !== 'PUT') throw notAllowed(method)
  const rule = await topics.putRule(topicName, childName, ruleOf(grandchildName, await body(), broker.now()), existing !== undefined)
  return [200, ruleResource(scope, topicName, childName, rule)]
}
