// Topics, subscriptions and rules over the ATOM API (ServiceBusAdministrationClient). Topic
// policies are the topic's AuthorizationRules, changed through a read-modify-write of the topic.
import type {
  ServiceBusAdministrationClient,
  SubscriptionProperties,
  SubscriptionRuntimeProperties,
  TopicProperties,
  TopicRuntimeProperties,
} from '@azure/service-bus'

import {NotFoundError, OperationError, UsageError} from '../../../common/errors.js'
import type {ConnectionTarget} from '../../servicebus/connection.js'
import {entityConnectionString, newAuthorizationRule} from '../atom-policies.js'
import {type ManagementErrorContext, toManagementError} from '../errors.js'
import {parseIsoDuration} from '../../../common/duration.js'
import type {AccessRight} from '../types.js'
import {namingTheMissing, ruleEntity, subscriptionEntity, topicEntity} from './entities.js'
import {fromAtomRule, toAtomAction, toAtomFilter} from './rule-mapping.js'
import {subscriptionSettings, topicSettings} from './settings.js'
import type {
  RuleInfo,
  RuleSpec,
  SubscriptionInfo,
  SubscriptionSpec,
  TopicInfo,
  TopicManagement,
  TopicPolicyInfo,
  TopicSpec,
} from './types.js'

function toTopicInfo(properties: TopicProperties, runtime?: TopicRuntimeProperties): TopicInfo {
  return {
    name: properties.name,
    status: properties.status,
    defaultTtlMs: parseIsoDuration(properties.defaultMessageTimeToLive),
    duplicateDetection: properties.requiresDuplicateDetection,
    duplicateDetectionWindowMs: parseIsoDuration(properties.duplicateDetectionHistoryTimeWindow),
    maxSizeMb: properties.maxSizeInMegabytes,
    maxMessageSizeKb: properties.maxMessageSizeInKilobytes,
    supportOrdering: properties.supportOrdering,
    enablePartitioning: properties.enablePartitioning,
    autoDeleteOnIdleMs: parseIsoDuration(properties.autoDeleteOnIdle),
    subscriptionCount: runtime?.subscriptionCount,
    createdAt: runtime?.createdAt?.toISOString(),
    updatedAt: runtime?.modifiedAt?.toISOString(),
    counts: runtime && {scheduled: runtime.scheduledMessageCount, sizeInBytes: runtime.sizeInBytes},
  }
}

function toSubscriptionInfo(properties: SubscriptionProperties, runtime?: SubscriptionRuntimeProperties): SubscriptionInfo {
  return {
    topic: properties.topicName,
    name: properties.subscriptionName,
    status: properties.status,
    lockDurationMs: parseIsoDuration(properties.lockDuration),
    maxDeliveryCount: properties.maxDeliveryCount,
    defaultTtlMs: parseIsoDuration(properties.defaultMessageTimeToLive),
    deadLetterOnExpiration: properties.deadLetteringOnMessageExpiration,
    deadLetterOnFilterError: properties.deadLetteringOnFilterEvaluationExceptions,
    requiresSession: properties.requiresSession,
    forwardTo: properties.forwardTo || undefined,
    forwardDeadLettersTo: properties.forwardDeadLetteredMessagesTo || undefined,
    autoDeleteOnIdleMs: parseIsoDuration(properties.autoDeleteOnIdle),
    createdAt: runtime?.createdAt?.toISOString(),
    updatedAt: runtime?.modifiedAt?.toISOString(),
    counts: runtime && {
      active: runtime.activeMessageCount,
      deadLetter: runtime.deadLetterMessageCount,
      transfer: runtime.transferMessageCount,
      transferDeadLetter: runtime.transferDeadLetterMessageCount,
      total: runtime.totalMessageCount,
    },
  }
}

export class AtomTopics implements TopicManagement {
  constructor(
    private readonly client: ServiceBusAdministrationClient,
    private readonly target: ConnectionTarget,
  ) {}

  private async call<T>(what: string, entity: ManagementErrorContext['entity'], work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (error) {
      throw toManagementError(error, {what, entity, endpoint: this.target.endpoint})
    }
  }

  /** Runs a call on a subscription (or its rules); a not-found names the topic when that is what is missing. */
  private onSubscription<T>(what: string, topic: string, subscription: string, work: () => Promise<T>): Promise<T> {
    return namingTheMissing(
      () => this.call(what, subscriptionEntity(topic, subscription), work),
      [{exists: () => this.topicExists(topic), entity: topicEntity(topic)}],
    )
  }

  async *listTopics(): AsyncIterable<TopicInfo> {
    const runtimes = new Map<string, TopicRuntimeProperties>()
    try {
      for await (const runtime of this.client.listTopicsRuntimeProperties()) runtimes.set(runtime.name, runtime)
      for await (const properties of this.client.listTopics()) yield toTopicInfo(properties, runtimes.get(properties.name))
    } catch (error) {
      throw toManagementError(error, {what: 'list topics', endpoint: this.target.endpoint})
    }
  }

  getTopic(name: string): Promise<TopicInfo> {
    return this.call('get topic', topicEntity(name), async () => {
      const [properties, runtime] = await Promise.all([this.client.getTopic(name), this.client.getTopicRuntimeProperties(name)])
      return toTopicInfo(properties, runtime)
    })
  }

  topicExists(name: string): Promise<boolean> {
    return this.call('check topic', topicEntity(name), () => this.client.topicExists(name))
  }

  async createTopic(name: string, spec: TopicSpec): Promise<TopicInfo> {
    const options = {
      ...topicSettings(spec),
      requiresDuplicateDetection: spec.duplicateDetectionWindowMs !== undefined ? true : undefined,
      enablePartitioning: spec.enablePartitioning,
    }
    return toTopicInfo(await this.call('create topic', topicEntity(name), () => this.client.createTopic(name, options)))
  }

  async updateTopic(name: string, spec: TopicSpec): Promise<TopicInfo> {
    const current = await this.call('get topic', topicEntity(name), () => this.client.getTopic(name))
    if (spec.duplicateDetectionWindowMs !== undefined && !current.requiresDuplicateDetection) {
      throw new UsageError('duplicate detection cannot be turned on for an existing topic', {
        hint: 'Create a new topic with --duplicate-detection-window.',
      })
    }
    if (spec.enablePartitioning !== undefined && spec.enablePartitioning !== current.enablePartitioning) {
      throw new UsageError('partitioning cannot be changed on an existing topic', {hint: 'Create a new topic with --enable-partitioning.'})
    }
    const updated = await this.call('update topic', topicEntity(name), () => this.client.updateTopic({...current, ...topicSettings(spec)}))
    return toTopicInfo(updated)
  }

  async deleteTopic(name: string): Promise<void> {
    await this.call('delete topic', topicEntity(name), () => this.client.deleteTopic(name))
  }

  async *listSubscriptions(topic: string): AsyncIterable<SubscriptionInfo> {
    if (!(await this.topicExists(topic)))
      throw new NotFoundError(`${topicEntity(topic).label} was not found`, {hint: topicEntity(topic).listHint})
    const runtimes = new Map<string, SubscriptionRuntimeProperties>()
    try {
      for await (const runtime of this.client.listSubscriptionsRuntimeProperties(topic)) runtimes.set(runtime.subscriptionName, runtime)
      for await (const properties of this.client.listSubscriptions(topic))
        yield toSubscriptionInfo(properties, runtimes.get(properties.subscriptionName))
    } catch (error) {
      throw toManagementError(error, {what: 'list subscriptions', entity: topicEntity(topic), endpoint: this.target.endpoint})
    }
  }

  getSubscription(topic: string, name: string): Promise<SubscriptionInfo> {
    return this.onSubscription('get subscription', topic, name, async () => {
      const [properties, runtime] = await Promise.all([
        this.client.getSubscription(topic, name),
        this.client.getSubscriptionRuntimeProperties(topic, name),
      ])
      return toSubscriptionInfo(properties, runtime)
    })
  }

  subscriptionExists(topic: string, name: string): Promise<boolean> {
    return this.call('check subscription', subscriptionEntity(topic, name), () => this.client.subscriptionExists(topic, name))
  }

  async createSubscription(topic: string, name: string, spec: SubscriptionSpec): Promise<SubscriptionInfo> {
    const options = {
      ...subscriptionSettings(spec),
      requiresSession: spec.requiresSession,
      defaultRuleOptions: spec.rule && {
        name: spec.rule.name,
        filter: toAtomFilter(spec.rule.filter),
        action: toAtomAction(spec.rule.action),
      },
    }
    const created = await this.onSubscription('create subscription', topic, name, () =>
      this.client.createSubscription(topic, name, options),
    )
    return toSubscriptionInfo(created)
  }

  async updateSubscription(topic: string, name: string, spec: SubscriptionSpec): Promise<SubscriptionInfo> {
    const current = await this.onSubscription('get subscription', topic, name, () => this.client.getSubscription(topic, name))
    if (spec.requiresSession !== undefined && spec.requiresSession !== current.requiresSession) {
      throw new UsageError('sessions cannot be turned on or off on an existing subscription', {
        hint: 'Create a new subscription with --requires-session.',
      })
    }
    const updated = await this.onSubscription('update subscription', topic, name, () =>
      this.client.updateSubscription({...current, ...subscriptionSettings(spec)}),
    )
    return toSubscriptionInfo(updated)
  }

  async deleteSubscription(topic: string, name: string): Promise<void> {
    await this.onSubscription('delete subscription', topic, name, () => this.client.deleteSubscription(topic, name))
  }

  listRules(topic: string, subscription: string): Promise<RuleInfo[]> {
    return this.onSubscription('list rules', topic, subscription, async () => {
      const rules: RuleInfo[] = []
      for await (const rule of this.client.listRules(topic, subscription)) rules.push({topic, subscription, ...fromAtomRule(rule)})
      return rules
    })
  }

  async createRule(topic: string, subscription: string, rule: RuleSpec): Promise<RuleInfo> {
    const filter = toAtomFilter(rule.filter)
    const action = toAtomAction(rule.action)
    const created = await namingTheMissing(
      () =>
        this.call('create rule', ruleEntity(topic, subscription, rule.name), () =>
          action
            ? this.client.createRule(topic, subscription, rule.name, filter, action)
            : this.client.createRule(topic, subscription, rule.name, filter),
        ),
      [
        {exists: () => this.topicExists(topic), entity: topicEntity(topic)},
        {exists: () => this.subscriptionExists(topic, subscription), entity: subscriptionEntity(topic, subscription)},
      ],
    )
    return {topic, subscription, ...fromAtomRule(created)}
  }

  async deleteRule(topic: string, subscription: string, name: string): Promise<void> {
    await namingTheMissing(
      () => this.call('delete rule', ruleEntity(topic, subscription, name), () => this.client.deleteRule(topic, subscription, name)),
      [
        {exists: () => this.topicExists(topic), entity: topicEntity(topic)},
        {exists: () => this.subscriptionExists(topic, subscription), entity: subscriptionEntity(topic, subscription)},
      ],
    )
  }

  async listTopicPolicies(topic: string): Promise<TopicPolicyInfo[]> {
    const properties = await this.call('get topic', topicEntity(topic), () => this.client.getTopic(topic))
    return (properties.authorizationRules ?? []).map(rule => ({name: rule.keyName, topic, rights: rule.accessRights as AccessRight[]}))
  }

  async createTopicPolicy(topic: string, name: string, rights: AccessRight[]): Promise<TopicPolicyInfo> {
    const properties = await this.call('get topic', topicEntity(topic), () => this.client.getTopic(topic))
    const rules = properties.authorizationRules ?? []
    if (rules.some(rule => rule.keyName === name)) throw new OperationError(`topic "${topic}" already has a policy named "${name}"`)
    await this.call('update topic', topicEntity(topic), () =>
      this.client.updateTopic({...properties, authorizationRules: [...rules, newAuthorizationRule(name, rights)]}),
    )
    return {name, topic, rights}
  }

  async deleteTopicPolicy(topic: string, name: string): Promise<void> {
    const properties = await this.call('get topic', topicEntity(topic), () => this.client.getTopic(topic))
    const rules = properties.authorizationRules ?? []
    if (!rules.some(rule => rule.keyName === name)) throw new NotFoundError(`topic "${topic}" has no policy named "${name}"`)
    await this.call('update topic', topicEntity(topic), () =>
      this.client.updateTopic({...properties, authorizationRules: rules.filter(rule => rule.keyName !== name)}),
    )
  }

  async topicPolicyConnectionString(topic: string, name: string): Promise<string> {
    const properties = await this.call('get topic', topicEntity(topic), () => this.client.getTopic(topic))
    const rule = (properties.authorizationRules ?? []).find(candidate => candidate.keyName === name)
    if (!rule?.primaryKey)
      throw new NotFoundError(`topic "${topic}" has no policy named "${name}"`, {
        hint: `List them with "qjob topic policy list --topic ${topic}".`,
      })
    return entityConnectionString(this.target, rule, topic)
  }
}
