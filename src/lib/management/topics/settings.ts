// The settings of a topic or subscription spec under the names both backends take: the
// administration client's options (ATOM) and the ARM resource's properties are spelled alike.
// What a backend sends only at creation (duplicate detection, partitioning, sessions) it adds itself.
import {formatIsoDuration} from '../../../common/duration.js'
import type {SubscriptionSpec, TopicSpec} from './types.js'

export function topicSettings(spec: TopicSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (spec.defaultTtlMs !== undefined) out.defaultMessageTimeToLive = formatIsoDuration(spec.defaultTtlMs)
  if (spec.duplicateDetectionWindowMs !== undefined)
    out.duplicateDetectionHistoryTimeWindow = formatIsoDuration(spec.duplicateDetectionWindowMs)
  if (spec.maxSizeMb !== undefined) out.maxSizeInMegabytes = spec.maxSizeMb
  if (spec.maxMessageSizeKb !== undefined) out.maxMessageSizeInKilobytes = spec.maxMessageSizeKb
  if (spec.supportOrdering !== undefined) out.supportOrdering = spec.supportOrdering
  if (spec.autoDeleteOnIdleMs !== undefined) out.autoDeleteOnIdle = formatIsoDuration(spec.autoDeleteOnIdleMs)
  if (spec.status !== undefined) out.status = spec.status
  return out
}

export function subscriptionSettings(spec: SubscriptionSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (spec.lockDurationMs !== undefined) out.lockDuration = formatIsoDuration(spec.lockDurationMs)
  if (spec.maxDeliveryCount !== undefined) out.maxDeliveryCount = spec.maxDeliveryCount
  if (spec.defaultTtlMs !== undefined) out.defaultMessageTimeToLive = formatIsoDuration(spec.defaultTtlMs)
  if (spec.deadLetterOnExpiration !== undefined) out.deadLetteringOnMessageExpiration = spec.deadLetterOnExpiration
  if (spec.deadLetterOnFilterError !== undefined) out.deadLetteringOnFilterEvaluationExceptions = spec.deadLetterOnFilterError
  if (spec.forwardTo !== undefined) out.forwardTo = spec.forwardTo
  if (spec.forwardDeadLettersTo !== undefined) out.forwardDeadLetteredMessagesTo = spec.forwardDeadLettersTo
  if (spec.autoDeleteOnIdleMs !== undefined) out.autoDeleteOnIdle = formatIsoDuration(spec.autoDeleteOnIdleMs)
  if (spec.status !== undefined) out.status = spec.status
  return out
}
