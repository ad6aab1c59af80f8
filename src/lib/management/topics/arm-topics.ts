// Topics, subscriptions and rules over Azure Resource Manager (@azure/arm-servicebus). PUT is an
// upsert there, so "already exists" is checked first (as the ATOM API answers it), and an update
// sends the current settings with the changes applied.
import type {SBSubscription, SBTopic, ServiceBusManagementClient} from '@azure/arm-servicebus'

import {NotFoundError, UsageError} from '../../../common/errors.js'
import {registerSecret} from '../../../common/redact.js'
import {writableFields} from '../arm-writable.js'
import {type ManagementErrorContext, toManagementError} from '../errors.js'
import {parseIsoDuration} from '../../../common/duration.js'
import type {AccessRight} from '../types.js'
import {namingTheMissing, ruleEntity, subscriptionEntity, topicEntity} from './entities.js'
import {fromArmRule, toArmRule} from './rule-mapping.js'
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

function toTopicInfo(topic: SBTopic): TopicInfo {
  return {
    name: topic.name ?? '',
    status: topic.status ?? 'Active',
    defaultTtlMs: parseIsoDuration(topic.defaultMessageTimeToLive),
    duplicateDetection: topic.requiresDuplicateDetection ?? false,
    duplicateDetectionWindowMs: parseIsoDuration(topic.duplicateDetectionHistoryTimeWindow),
    maxSizeMb: topic.maxSizeInMegabytes ?? 0,
    maxMessageSizeKb: topic.maxMessageSizeInKilobytes,
    supportOrdering: topic.supportOrdering ?? false,
    enablePartitioning: topic.enablePartitioning ?? false,
    autoDeleteOnIdleMs: parseIsoDuration(topic.autoDeleteOnIdle),
    subscriptionCount: topic.subscriptionCount,
    createdAt: topic.createdAt?.toISOString(),
    updatedAt: topic.updatedAt?.toISOString(),
    counts: topic.countDetails && {scheduled: topic.countDetails.scheduledMessageCount ?? 0, sizeInBytes: topic.sizeInBytes},
  }
}

function toSubscriptionInfo(topic: string, subscription: SBSubscription): SubscriptionInfo {
  const counts = subscription.countDetails
  return {
    topic,
    name: subscription.name ?? '',
    status: subscription.status ?? 'Active',
    lockDurationMs: parseIsoDuration(subscription.lockDuration),
    maxDeliveryCount: subscription.maxDeliveryCount ?? 0,
    defaultTtlMs: parseIsoDuration(subscription.defaultMessageTimeToLive),
    deadLetterOnExpiration: subscription.deadLetteringOnMessageExpiration ?? false,
    deadLetterOnFilterError: subscription.deadLetteringOnFilterEvaluationExceptions ?? false,
    requiresSession: subscription.requiresSession ?? false,
    forwardTo: subscription.forwardTo || undefined,
    forwardDeadLettersTo: subscription.forwardDeadLetteredMessagesTo || undefined,
    autoDeleteOnIdleMs: parseIsoDuration(subscription.autoDeleteOnIdle),
    createdAt: subscription.createdAt?.toISOString(),
    updatedAt: subscription.updatedAt?.toISOString(),
    counts: counts && {
      active: counts.activeMessageCount ?? 0,
      deadLetter: counts.deadLetterMessageCount ?? 0,
      transfer: counts.transferMessageCount ?? 0,
      transferDeadLetter: counts.transferDeadLetterMessageCount ?? 0,
      total: subscription.messageCount,
    },
  }
}

/** ARM sends the whole resource on create and update alike, so the creation-only settings go too. */
function specToTopic(spec: TopicSpec): SBTopic {
  const topic = topicSettings(spec) as SBTopic
  if (spec.duplicateDetectionWindowMs !== undefined) topic.requiresDuplicateDetection = true
  if (spec.enablePartitioning !== undefined) topic.enablePartitioning = spec.enablePartitioning
  return topic
}

function specToSubscription(spec: SubscriptionSpec): SBSubscription {
  const subscription = subscriptionSettings(spec) as SBSubscription
  if (spec.requiresSession !== undefined) subscription.requiresSession = spec.requiresSession
  return subscription
}

export class ArmTopics implements TopicManagement {
  constructor(
    private readonly client: ServiceBusManagementClient,
    private readonly at: [string, string],
  ) {}

  private async call<T>(what: string, entity: ManagementErrorContext['entity'], work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (error) {
      throw toManagementError(error, {what, entity})
    }
  }

  private onSubscription<T>(what: string, topic: string, subscription: string, work: () => Promise<T>): Promise<T> {
    return namingTheMissing(
      () => this.call(what, subscriptionEntity(topic, subscription), work),
      [{exists: () => this.topicExists(topic), entity: topicEntity(topic)}],
    )
  }

  private async exists(work: () => Promise<unknown>): Promise<boolean> {
    try {
      await work()
      return true
    } catch (error) {
      if (error instanceof NotFoundError) return false
      throw error
    }
  }

  async *listTopics(): AsyncIterable<TopicInfo> {
    try {
      for await (const topic of this.client.topics.listByNamespace(...this.at)) yield toTopicInfo(topic)
    } catch (error) {
      throw toManagementError(error, {what: 'list topics'})
    }
  }

  getTopic(name: string): Promise<TopicInfo> {
    return this.call('get topic', topicEntity(name), async () => toTopicInfo(await this.client.topics.get(...this.at, name)))
  }

  topicExists(name: string): Promise<boolean> {
    return this.exists(() => this.getTopic(name))
  }

  async createTopic(name: string, spec: TopicSpec): Promise<TopicInfo> {
    if (await this.topicExists(name)) throw toManagementError({statusCode: 409}, {what: 'create topic', entity: topicEntity(name)})
    return this.call('create topic', topicEntity(name), async () =>
      toTopicInfo(await this.client.topics.createOrUpdate(...this.at, name, specToTopic(spec))),
    )
  }

  async updateTopic(name: string, spec: TopicSpec): Promise<TopicInfo> {
    const current = await this.call('get topic', topicEntity(name), () => this.client.topics.get(...this.at, name))
    if (spec.duplicateDetectionWindowMs !== undefined && !current.requiresDuplicateDetection) {
      throw new UsageError('duplicate detection cannot be turned on for an existing topic', {
        hint: 'Create a new topic with --duplicate-detection-window.',
      })
    }
    if (spec.enablePartitioning !== undefined && spec.enablePartitioning !== (current.enablePartitioning ?? false)) {
      throw new UsageError('partitioning cannot be changed on an existing topic', {hint: 'Create a new topic with --enable-partitioning.'})
    }
    const merged = {...writableFields(current), ...specToTopic(spec)}
    return this.call('update topic', topicEntity(name), async () =>
      toTopicInfo(await this.client.topics.createOrUpdate(...this.at, name, merged)),
    )
  }

  async deleteTopic(name: string): Promise<void> {
    await this.getTopic(name)
    await this.call('delete topic', topicEntity(name), () => this.client.topics.delete(...this.at, name))
  }

  async *listSubscriptions(topic: string): AsyncIterable<SubscriptionInfo> {
    await this.getTopic(topic)
    try {
      for await (const subscription of this.client.subscriptions.listByTopic(...this.at, topic))
        yield toSubscriptionInfo(topic, subscription)
    } catch (error) {
      throw toManagementError(error, {what: 'list subscriptions', entity: topicEntity(topic)})
    }
  }

  getSubscription(topic: string, name: string): Promise<SubscriptionInfo> {
    return this.onSubscription('get subscription', topic, name, async () =>
      toSubscriptionInfo(topic, await this.client.subscriptions.get(...this.at, topic, name)),
    )
  }

  subscriptionExists(topic: string, name: string): Promise<boolean> {
    return this.exists(() =>
      this.call('get subscription', subscriptionEntity(topic, name), () => this.client.subscriptions.get(...this.at, topic, name)),
    )
  }

  async createSubscription(topic: string, name: string, spec: SubscriptionSpec): Promise<SubscriptionInfo> {
    await this.getTopic(topic)
    if (await this.subscriptionExists(topic, name)) {
      throw toManagementError({statusCode: 409}, {what: 'create subscription', entity: subscriptionEntity(topic, name)})
    }
    const created = await this.onSubscription('create subscription', topic, name, () =>
      this.client.subscriptions.createOrUpdate(...this.at, topic, name, specToSubscription(spec)),
    )
    if (spec.rule) {
      // ARM has no "default rule" on create: Azure adds $Default (true filter); replace it with the
      // rule asked for. A rule the service refuses (invalid SQL) takes the subscription with it, so
      // a failed create leaves nothing behind, as the ATOM API's single call does.
      try {
        if (spec.rule.name === '$Default') await this.deleteRule(topic, name, '$Default')
        await this.createRule(topic, name, spec.rule)
        if (spec.rule.name !== '$Default') await this.deleteRule(topic, name, '$Default')
      } catch (error) {
        await this.client.subscriptions.delete(...this.at, topic, name).catch(() => undefined)
        throw error
      }
    }
    return toSubscriptionInfo(topic, created)
  }

  async updateSubscription(topic: string, name: string, spec: SubscriptionSpec): Promise<SubscriptionInfo> {
    const current = await this.onSubscription('get subscription', topic, name, () => this.client.subscriptions.get(...this.at, topic, name))
    if (spec.requiresSession !== undefined && spec.requiresSession !== (current.requiresSession ?? false)) {
      throw new UsageError('sessions cannot be turned on or off on an existing subscription', {
        hint: 'Create a new subscription with --requires-session.',
      })
    }
    const merged = {...writableFields(current), ...specToSubscription(spec)}
    return this.onSubscription('update subscription', topic, name, async () =>
      toSubscriptionInfo(topic, await this.client.subscriptions.createOrUpdate(...this.at, topic, name, merged)),
    )
  }

  async deleteSubscription(topic: string, name: string): Promise<void> {
    await this.getSubscription(topic, name)
    await this.onSubscription('delete subscription', topic, name, () => this.client.subscriptions.delete(...this.at, topic, name))
  }

  listRules(topic: string, subscription: string): Promise<RuleInfo[]> {
    return this.onSubscription('list rules', topic, subscription, async () => {
      const rules: RuleInfo[] = []
      for await (const rule of this.client.rules.listBySubscriptions(...this.at, topic, subscription))
        rules.push({topic, subscription, ...fromArmRule(rule)})
      return rules
    })
  }

  async createRule(topic: string, subscription: string, rule: RuleSpec): Promise<RuleInfo> {
    await this.getSubscription(topic, subscription)
    const entity = ruleEntity(topic, subscription, rule.name)
    const existing = await this.exists(() =>
      this.call('get rule', entity, () => this.client.rules.get(...this.at, topic, subscription, rule.name)),
    )
    if (existing) throw toManagementError({statusCode: 409}, {what: 'create rule', entity})
    const created = await this.call('create rule', entity, () =>
      this.client.rules.createOrUpdate(...this.at, topic, subscription, rule.name, toArmRule(rule)),
    )
    return {topic, subscription, ...fromArmRule(created)}
  }

  async deleteRule(topic: string, subscription: string, name: string): Promise<void> {
    await this.getSubscription(topic, subscription)
    const entity = ruleEntity(topic, subscription, name)
    await this.call('get rule', entity, () => this.client.rules.get(...this.at, topic, subscription, name))
    await this.call('delete rule', entity, () => this.client.rules.delete(...this.at, topic, subscription, name))
  }

  async listTopicPolicies(topic: string): Promise<TopicPolicyInfo[]> {
    return this.call('list policies', topicEntity(topic), async () => {
      const policies: TopicPolicyInfo[] = []
      for await (const rule of this.client.topics.listAuthorizationRules(...this.at, topic))
        policies.push({name: rule.name ?? '', topic, rights: (rule.rights ?? []) as AccessRight[]})
      return policies
    })
  }

  async createTopicPolicy(topic: string, name: string, rights: AccessRight[]): Promise<TopicPolicyInfo> {
    const rule = await this.call('create policy', topicEntity(topic), () =>
      this.client.topics.createOrUpdateAuthorizationRule(...this.at, topic, name, {rights}),
    )
    return {name: rule.name ?? name, topic, rights: (rule.rights ?? rights) as AccessRight[]}
  }

  async deleteTopicPolicy(topic: string, name: string): Promise<void> {
    await this.call('get policy', topicEntity(topic), () => this.client.topics.getAuthorizationRule(...this.at, topic, name))
    await this.call('delete policy', topicEntity(topic), () => this.client.topics.deleteAuthorizationRule(...this.at, topic, name))
  }

  async topicPolicyConnectionString(topic: string, name: string): Promise<string> {
    const keys = await this.call('list keys', topicEntity(topic), () => this.client.topics.listKeys(...this.at, topic, name))
    if (!keys.primaryConnectionString) throw new NotFoundError(`policy "${name}" of topic "${topic}" has no keys`)
    registerSecret(keys.primaryKey)
    return keys.primaryConnectionString
  }
}
