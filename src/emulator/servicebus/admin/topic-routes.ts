// The ATOM API's topic, subscription and rule resources (admin-api.ts routes here):
//
//   GET    /$Resources/Topics                      a page of topics
//   GET|PUT|DELETE /<topic>                          (when the body or the entity is a topic)
//   GET    /<topic>/Subscriptions                   a page of subscriptions
//   GET|PUT|DELETE /<topic>/Subscriptions/<sub>
//   GET    /<topic>/Subscriptions/<sub>/Rules       a page of rules
//   GET|PUT|DELETE /<topic>/Subscriptions/<sub>/Rules/<rule>
//
// PUT creates (409 if it exists), PUT with If-Match updates; a GET of a missing entity answers
// an empty feed, as the service does.
import type {Broker} from '../broker/broker.js'
import {BrokerError, entityNotFound} from '../broker/broker-error.js'
import {subscriptionPath} from '../broker/topic-properties.js'
import type {EntryParts} from './atom.js'
import {
  descriptionOf,
  ruleDescriptionXml,
  ruleFrom,
  subscriptionDescriptionXml,
  subscriptionSettingsFrom,
  topicDescriptionXml,
  topicSettingsFrom,
} from './topic-description.js'
import {parseXml} from './xml.js'

export interface TopicRouteContext {
  broker: Broker
  baseUrl: string
  method: string
  body: string
  ifMatch?: string
  query: URLSearchParams
  entry(status: number, parts: EntryParts): {status: number; body: string; contentType?: string}
  emptyFeed(path: string): {status: number; body: string; contentType?: string}
  list(path: string, title: string, entries: EntryParts[]): {status: number; body: string; contentType?: string}
}

type Response = ReturnType<TopicRouteContext['entry']>

/** `[topic, subscription?, rule?, listing?]` for subscription and rule paths; undefined for others. */
export function parseTopicPath(
  path: string,
): {topic: string; subscription?: string; rule?: string; list?: 'subscriptions' | 'rules'} | undefined {
  const segments = path.split('/')
  const at = segments.findIndex((segment, index) => index > 0 && segment.toLowerCase() === 'subscriptions')
  if (at < 0) return undefined
  const topic = segments.slice(0, at).join('/')
  const rest = segments.slice(at + 1)
  if (rest.length === 0) return {topic, list: 'subscriptions'}
  if (rest.length === 1) return {topic, subscription: rest[0]}
  if (rest[1].toLowerCase() !== 'rules') return undefined
  if (rest.length === 2) return {topic, subscription: rest[0], list: 'rules'}
  if (rest.length === 3) return {topic, subscription: rest[0], rule: rest[2]}
  return undefined
}

export function topicEntry(broker: Broker, baseUrl: string, name: string): EntryParts {
  const topic = broker.topics.get(name)!
  return {
    baseUrl,
    path: topic.name,
    title: topic.name,
    published: topic.createdAt,
    updated: topic.updatedAt,
    content: topicDescriptionXml(topic, broker.topics.runtimeCounts(topic.name)),
  }
}

function subscriptionEntry(broker: Broker, baseUrl: string, topicName: string, name: string): EntryParts {
  const queue = broker.topics.requireSubscription(topicName, name)
  const subscription = queue.subscription
  const path = subscriptionPath(subscription.topicName, subscription.subscriptionName)
  return {
    baseUrl,
    path,
    title: subscription.subscriptionName,
    published: subscription.createdAt,
    updated: subscription.updatedAt,
    content: subscriptionDescriptionXml(subscription, queue.runtimeCounts()),
  }
}

function ruleEntry(
  baseUrl: string,
  topicName: string,
  subscriptionName: string,
  rule: ReturnType<Broker['topics']['listRules']>[number],
): EntryParts {
  const path = `${subscriptionPath(topicName, subscriptionName)}/Rules/${rule.name}`
  return {baseUrl, path, title: rule.name, published: rule.createdAt, updated: rule.createdAt, content: ruleDescriptionXml(rule)}
}

/** A topic at `/<name>` (GET, PUT, DELETE). */
export async function handleTopic(context: TopicRouteContext, name: string): Promise<Response> {
  const {broker, baseUrl, method} = context
  if (method === 'GET') return broker.topics.get(name) ? context.entry(200, topicEntry(broker, baseUrl, name)) : context.emptyFeed(name)
  if (method === 'DELETE') {
    await broker.topics.delete(name)
    return {status: 200, body: ''}
  }
  const settings = topicSettingsFrom(descriptionOf(parseXml(context.body), 'TopicDescription'))
  if (context.ifMatch === undefined) {
    if (broker.topics.get(name) || broker.getQueue(name))
      throw new BrokerError('EntityAlreadyExists', `SubCode=40900. The messaging entity '${name}' already exists.`)
    await broker.topics.create(name, settings)
    return context.entry(201, topicEntry(broker, baseUrl, name))
  }
  const current = broker.topics.get(name)
  if (!current) throw entityNotFound(name)
  if (settings.requiresDuplicateDetection !== undefined && settings.requiresDuplicateDetection !== current.requiresDuplicateDetection) {
    throw new BrokerError('BadRequest', 'requiresDuplicateDetection of an existing topic cannot be changed.')
  }
  await broker.topics.update(name, {userMetadata: '', authorizationRules: [], ...settings})
  return context.entry(200, topicEntry(broker, baseUrl, name))
}

export async function handleTopicChild(
  context: TopicRouteContext,
  parsed: NonNullable<ReturnType<typeof parseTopicPath>>,
): Promise<Response> {
  const {broker, baseUrl, method} = context
  const {topic, subscription, rule, list} = parsed
  if (list === 'subscriptions') {
    if (method !== 'GET') throw new BrokerError('BadRequest', `${method} is not allowed on a list of subscriptions.`)
    const entries = broker.topics.listSubscriptions(topic).map(s => subscriptionEntry(broker, baseUrl, topic, s.subscriptionName))
    return context.list(`${topic}/Subscriptions`, 'Subscriptions', entries)
  }
  if (list === 'rules') {
    if (method !== 'GET') throw new BrokerError('BadRequest', `${method} is not allowed on a list of rules.`)
    const entries = broker.topics.listRules(topic, subscription!).map(r => ruleEntry(baseUrl, topic, subscription!, r))
    return context.list(`${subscriptionPath(topic, subscription!)}/Rules`, 'Rules', entries)
  }
  if (rule === undefined) {
    const name = subscription!
    if (method === 'GET') {
      return broker.topics.getSubscription(topic, name)
        ? context.entry(200, subscriptionEntry(broker, baseUrl, topic, name))
        : context.emptyFeed(subscriptionPath(topic, name))
    }
    if (method === 'DELETE') {
      await broker.topics.deleteSubscription(topic, name)
      return {status: 200, body: ''}
    }
    const {settings, defaultRule} = subscriptionSettingsFrom(descriptionOf(parseXml(context.body), 'SubscriptionDescription'), broker.now())
    broker.requireForwardTargets(settings)
    if (context.ifMatch === undefined) {
      await broker.topics.createSubscription(topic, name, settings, defaultRule)
      return context.entry(201, subscriptionEntry(broker, baseUrl, topic, name))
    }
    const current = broker.topics.getSubscription(topic, name)
    if (!current) throw entityNotFound(subscriptionPath(topic, name))
    if (settings.requiresSession !== undefined && settings.requiresSession !== current.requiresSession) {
      throw new BrokerError('BadRequest', 'requiresSession of an existing subscription cannot be changed.')
    }
    await broker.topics.updateSubscription(topic, name, {
      userMetadata: '',
      forwardTo: undefined,
      forwardDeadLetteredMessagesTo: undefined,
      ...settings,
    })
    return context.entry(200, subscriptionEntry(broker, baseUrl, topic, name))
  }
  const sub = subscription!
  if (method === 'GET') {
    const found = broker.topics.getRule(topic, sub, rule)
    return found
      ? context.entry(200, ruleEntry(baseUrl, topic, sub, found))
      : context.emptyFeed(`${subscriptionPath(topic, sub)}/Rules/${rule}`)
  }
  if (method === 'DELETE') {
    await broker.topics.deleteRule(topic, sub, rule)
    return {status: 200, body: ''}
  }
  const properties = ruleFrom(descriptionOf(parseXml(context.body), 'RuleDescription'), rule, broker.now())
  const stored = await broker.topics.putRule(topic, sub, properties, context.ifMatch !== undefined)
  return context.entry(context.ifMatch === undefined ? 201 : 200, ruleEntry(baseUrl, topic, sub, stored))
}
