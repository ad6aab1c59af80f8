// The properties of topics and subscriptions, named after the fields of the ATOM TopicDescription
// and SubscriptionDescription (and the SDK's TopicProperties / SubscriptionProperties), as
// queue-properties.ts does for queues. Durations are milliseconds.
import {QUEUE_DEFAULTS, TIMESPAN_MAX_MS} from '../constants.js'
import {BrokerError} from './broker-error.js'
import {
  applyQueueSettings,
  newQueueProperties,
  validateQueueName,
  type AuthorizationRule,
  type EntityStatus,
  type QueueProperties,
} from './queue-properties.js'

export interface TopicProperties {
  name: string
  maxSizeInMegabytes: number
  requiresDuplicateDetection: boolean
  defaultMessageTimeToLiveMs: number
  duplicateDetectionHistoryTimeWindowMs: number
  maxMessageSizeInKilobytes: number
  enableBatchedOperations: boolean
  supportOrdering: boolean
  enablePartitioning: boolean
  autoDeleteOnIdleMs: number
  status: EntityStatus
  authorizationRules: AuthorizationRule[]
  userMetadata?: string
  createdAt: number
  updatedAt: number
}

export type TopicSettings = Partial<Omit<TopicProperties, 'name' | 'createdAt' | 'updatedAt'>>

export interface SubscriptionProperties {
  topicName: string
  subscriptionName: string
  lockDurationMs: number
  requiresSession: boolean
  defaultMessageTimeToLiveMs: number
  deadLetteringOnMessageExpiration: boolean
  deadLetteringOnFilterEvaluationExceptions: boolean
  maxDeliveryCount: number
  enableBatchedOperations: boolean
  autoDeleteOnIdleMs: number
  status: EntityStatus
  userMetadata?: string
  forwardTo?: string
  forwardDeadLetteredMessagesTo?: string
  createdAt: number
  updatedAt: number
}

export type SubscriptionSettings = Partial<Omit<SubscriptionProperties, 'topicName' | 'subscriptionName' | 'createdAt' | 'updatedAt'>>

/** The path of a subscription, as the SDK addresses it (`topic/Subscriptions/sub`). */
export function subscriptionPath(topicName: string, subscriptionName: string): string {
  return `${topicName}/Subscriptions/${subscriptionName}`
}

function positive(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) throw new BrokerError('BadRequest', `${name} must be a positive number, got ${value}`)
}

function booleans<T extends object>(target: T, flags: Array<keyof T>): void {
  for (const flag of flags)
    if (typeof target[flag] !== 'boolean') throw new BrokerError('BadRequest', `${String(flag)} must be true or false`)
}

export function newTopicProperties(name: string, settings: TopicSettings = {}, now = Date.now()): TopicProperties {
  const base: TopicProperties = {
    name: validateQueueName(name),
    maxSizeInMegabytes: QUEUE_DEFAULTS.maxSizeInMegabytes,
    requiresDuplicateDetection: false,
    defaultMessageTimeToLiveMs: TIMESPAN_MAX_MS,
    duplicateDetectionHistoryTimeWindowMs: QUEUE_DEFAULTS.duplicateDetectionHistoryTimeWindowMs,
    maxMessageSizeInKilobytes: QUEUE_DEFAULTS.maxMessageSizeInKilobytes,
    enableBatchedOperations: true,
    supportOrdering: true,
    enablePartitioning: false,
    autoDeleteOnIdleMs: TIMESPAN_MAX_MS,
    status: 'Active',
    authorizationRules: [],
    createdAt: now,
    updatedAt: now,
  }
  return applyTopicSettings(base, settings, now)
}

export function applyTopicSettings(current: TopicProperties, settings: TopicSettings, now = Date.now()): TopicProperties {
  const next: TopicProperties = {...current}
  for (const [key, value] of Object.entries(settings)) if (value !== undefined) (next as unknown as Record<string, unknown>)[key] = value
  next.updatedAt = now
  // The queue validation covers the fields topics share with queues.
  applyQueueSettings(holdingQueueProperties(next), {}, now)
  positive('autoDeleteOnIdle', next.autoDeleteOnIdleMs)
  booleans(next, ['supportOrdering', 'enablePartitioning'])
  return next
}

const SUBSCRIPTION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/

export function newSubscriptionProperties(
  topicName: string,
  subscriptionName: string,
  settings: SubscriptionSettings = {},
  now = Date.now(),
): SubscriptionProperties {
  if (!SUBSCRIPTION_NAME.test(subscriptionName)) {
    throw new BrokerError(
      'BadRequest',
      `invalid subscription name "${subscriptionName}": use letters, digits, '.', '-' or '_' (at most 50 characters)`,
    )
  }
  const base: SubscriptionProperties = {
    topicName,
    subscriptionName,
    lockDurationMs: QUEUE_DEFAULTS.lockDurationMs,
    requiresSession: false,
    defaultMessageTimeToLiveMs: TIMESPAN_MAX_MS,
    deadLetteringOnMessageExpiration: false,
    deadLetteringOnFilterEvaluationExceptions: true,
    maxDeliveryCount: QUEUE_DEFAULTS.maxDeliveryCount,
    enableBatchedOperations: true,
    autoDeleteOnIdleMs: TIMESPAN_MAX_MS,
    status: 'Active',
    createdAt: now,
    updatedAt: now,
  }
  return applySubscriptionSettings(base, settings, now)
}

export function applySubscriptionSettings(
  current: SubscriptionProperties,
  settings: SubscriptionSettings,
  now = Date.now(),
): SubscriptionProperties {
  const next: SubscriptionProperties = {...current}
  for (const [key, value] of Object.entries(settings)) if (value !== undefined) (next as unknown as Record<string, unknown>)[key] = value
  next.updatedAt = now
  positive('autoDeleteOnIdle', next.autoDeleteOnIdleMs)
  booleans(next, ['deadLetteringOnFilterEvaluationExceptions'])
  return next
}

/**
 * The queue-shaped properties of a topic's holding queue (scheduled messages, sequence numbers,
 * duplicate detection, size and message-size limits). Nobody receives from it.
 */
export function holdingQueueProperties(topic: TopicProperties): QueueProperties {
  return {
    ...newQueueProperties(topic.name, {}, topic.createdAt),
    maxSizeInMegabytes: topic.maxSizeInMegabytes,
    requiresDuplicateDetection: topic.requiresDuplicateDetection,
    defaultMessageTimeToLiveMs: topic.defaultMessageTimeToLiveMs,
    duplicateDetectionHistoryTimeWindowMs: topic.duplicateDetectionHistoryTimeWindowMs,
    maxMessageSizeInKilobytes: topic.maxMessageSizeInKilobytes,
    enableBatchedOperations: topic.enableBatchedOperations,
    status: topic.status,
    authorizationRules: topic.authorizationRules,
    createdAt: topic.createdAt,
    updatedAt: topic.updatedAt,
  }
}

/** The queue-shaped properties a subscription's messages live under (settlement, sessions, TTL). */
export function subscriptionQueueProperties(subscription: SubscriptionProperties, topic: TopicProperties): QueueProperties {
  return {
    ...newQueueProperties(subscriptionPath(subscription.topicName, subscription.subscriptionName), {}, subscription.createdAt),
    lockDurationMs: subscription.lockDurationMs,
    maxSizeInMegabytes: topic.maxSizeInMegabytes,
    maxDeliveryCount: subscription.maxDeliveryCount,
    requiresSession: subscription.requiresSession,
    defaultMessageTimeToLiveMs: subscription.defaultMessageTimeToLiveMs,
    deadLetteringOnMessageExpiration: subscription.deadLetteringOnMessageExpiration,
    maxMessageSizeInKilobytes: topic.maxMessageSizeInKilobytes,
    enableBatchedOperations: subscription.enableBatchedOperations,
    status: subscription.status,
    userMetadata: subscription.userMetadata,
    forwardTo: subscription.forwardTo,
    forwardDeadLetteredMessagesTo: subscription.forwardDeadLetteredMessagesTo,
    createdAt: subscription.createdAt,
    updatedAt: subscription.updatedAt,
  }
}
