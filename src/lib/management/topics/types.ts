// Topics, subscriptions and rules behind one interface, as queues are (../types.ts): each
// management backend (ATOM, ARM) has a `topics` part. Durations are milliseconds throughout.
import type {AccessRight, QueueCounts} from '../types.js'

/** Settable topic properties; undefined leaves a value as it is (update) or at its default (create). */
export interface TopicSpec {
  defaultTtlMs?: number
  /** Set: duplicate detection on, with this history window. */
  duplicateDetectionWindowMs?: number
  maxSizeMb?: number
  maxMessageSizeKb?: number
  supportOrdering?: boolean
  enablePartitioning?: boolean
  autoDeleteOnIdleMs?: number
  status?: EntityStatus
}

export type EntityStatus = 'Active' | 'Disabled' | 'SendDisabled' | 'ReceiveDisabled'

export interface TopicInfo {
  name: string
  status: string
  defaultTtlMs: number
  duplicateDetection: boolean
  duplicateDetectionWindowMs: number
  maxSizeMb: number
  maxMessageSizeKb?: number
  supportOrdering: boolean
  enablePartitioning: boolean
  autoDeleteOnIdleMs: number
  subscriptionCount?: number
  createdAt?: string
  updatedAt?: string
  counts?: {scheduled: number; sizeInBytes?: number}
}

/** The filter of a rule: a SQL expression, a correlation filter, or always / never. */
export type RuleFilter =
  {kind: 'sql'; expression: string} | {kind: 'correlation'; properties: CorrelationProperties} | {kind: 'true'} | {kind: 'false'}

/** A correlation filter: every property given must equal the message's. */
export interface CorrelationProperties {
  correlationId?: string
  messageId?: string
  to?: string
  replyTo?: string
  subject?: string
  sessionId?: string
  replyToSessionId?: string
  contentType?: string
  applicationProperties?: Record<string, string | number | boolean>
}

export interface RuleSpec {
  name: string
  filter: RuleFilter
  /** A SQL rule action (`SET sys.label = 'x'`), applied to the subscription's copy. */
  action?: string
}

export interface RuleInfo extends RuleSpec {
  topic: string
  subscription: string
}

export interface SubscriptionSpec {
  lockDurationMs?: number
  maxDeliveryCount?: number
  defaultTtlMs?: number
  deadLetterOnExpiration?: boolean
  deadLetterOnFilterError?: boolean
  requiresSession?: boolean
  /** '' removes a forward on update. */
  forwardTo?: string
  forwardDeadLettersTo?: string
  autoDeleteOnIdleMs?: number
  status?: EntityStatus
  /** The rule created with the subscription instead of `$Default` (true filter). */
  rule?: RuleSpec
}

export interface SubscriptionInfo {
  topic: string
  name: string
  status: string
  lockDurationMs: number
  maxDeliveryCount: number
  defaultTtlMs: number
  deadLetterOnExpiration: boolean
  deadLetterOnFilterError: boolean
  requiresSession: boolean
  forwardTo?: string
  forwardDeadLettersTo?: string
  autoDeleteOnIdleMs: number
  createdAt?: string
  updatedAt?: string
  counts?: Omit<QueueCounts, 'scheduled'>
}

/** A topic-level shared access policy: Send on the topic, Listen on it covers its subscriptions. */
export interface TopicPolicyInfo {
  name: string
  topic: string
  rights: AccessRight[]
}

export interface TopicManagement {
  listTopics(): AsyncIterable<TopicInfo>
  getTopic(name: string): Promise<TopicInfo>
  topicExists(name: string): Promise<boolean>
  createTopic(name: string, spec: TopicSpec): Promise<TopicInfo>
  updateTopic(name: string, spec: TopicSpec): Promise<TopicInfo>
  deleteTopic(name: string): Promise<void>

  listSubscriptions(topic: string): AsyncIterable<SubscriptionInfo>
  getSubscription(topic: string, name: string): Promise<SubscriptionInfo>
  subscriptionExists(topic: string, name: string): Promise<boolean>
  createSubscription(topic: string, name: string, spec: SubscriptionSpec): Promise<SubscriptionInfo>
  updateSubscription(topic: string, name: string, spec: SubscriptionSpec): Promise<SubscriptionInfo>
  deleteSubscription(topic: string, name: string): Promise<void>

  listRules(topic: string, subscription: string): Promise<RuleInfo[]>
  createRule(topic: string, subscription: string, rule: RuleSpec): Promise<RuleInfo>
  deleteRule(topic: string, subscription: string, name: string): Promise<void>

  listTopicPolicies(topic: string): Promise<TopicPolicyInfo[]>
  createTopicPolicy(topic: string, name: string, rights: AccessRight[]): Promise<TopicPolicyInfo>
  deleteTopicPolicy(topic: string, name: string): Promise<void>
  /** A policy's connection string (a secret: printed only on request). */
  topicPolicyConnectionString(topic: string, name: string): Promise<string>
}
