// The properties of a queue, named after the fields of the ATOM QueueDescription (and the SDK's
// QueueProperties) so the admin API of issue 5 maps them one to one. Durations are milliseconds.
import {LIMITS, QUEUE_DEFAULTS, TIMESPAN_MAX_MS} from '../constants.js'
import {BrokerError} from './broker-error.js'

export type AccessRight = 'Listen' | 'Send' | 'Manage'
export type EntityStatus = 'Active' | 'Disabled' | 'SendDisabled' | 'ReceiveDisabled'

/** A shared access policy: namespace-wide, or on one queue (QueueDescription AuthorizationRules). */
export interface AuthorizationRule {
  keyName: string
  primaryKey: string
  secondaryKey?: string
  rights: AccessRight[]
}

export interface QueueProperties {
  name: string
  lockDurationMs: number
  maxSizeInMegabytes: number
  maxDeliveryCount: number
  requiresSession: boolean
  requiresDuplicateDetection: boolean
  defaultMessageTimeToLiveMs: number
  duplicateDetectionHistoryTimeWindowMs: number
  deadLetteringOnMessageExpiration: boolean
  maxMessageSizeInKilobytes: number
  enableBatchedOperations: boolean
  status: EntityStatus
  authorizationRules: AuthorizationRule[]
  userMetadata?: string
  forwardTo?: string
  forwardDeadLetteredMessagesTo?: string
  /** Set at creation only. The emulator keeps one partition but applies Azure's partition-key rules (partition-rules.ts). */
  enablePartitioning?: boolean
  /** Deleted after this long idle (idle-queues.ts); absent or TIMESPAN_MAX_MS: never. Azure's minimum is 5 minutes. */
  autoDeleteOnIdleMs?: number
  createdAt: number
  updatedAt: number
}

export type QueueSettings = Partial<Omit<QueueProperties, 'name' | 'createdAt' | 'updatedAt'>>

const STATUSES: readonly EntityStatus[] = ['Active', 'Disabled', 'SendDisabled', 'ReceiveDisabled']

function positive(name: string, value: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isFinite(value) || value <= 0 || value > max) {
    throw new BrokerError(
      'BadRequest',
      `${name} must be a positive number${max < Number.MAX_SAFE_INTEGER ? ` up to ${max}` : ''}, got ${value}`,
    )
  }
  return value
}

/**
 * Azure's entity naming rules: 1 to 260 characters, letters, digits, '.', '-', '_' and '/', starting
 * and ending with a letter or digit; no empty, '.' or '..' path segment (a name must never read
 * as a relative path, in an address or an audience).
 */
export function validateQueueName(name: string): string {
  const segments = name.split('/')
  const valid =
    LIMITS.queueNamePattern.test(name) &&
    /[A-Za-z0-9]$/.test(name) &&
    segments.every(segment => segment !== '' && segment !== '.' && segment !== '..')
  if (!valid) {
    throw new BrokerError(
      'BadRequest',
      `invalid queue name "${name}": use letters, digits, '.', '-', '_' or '/', start and end with a letter or digit, no empty, '.' or '..' segments (at most 260 characters)`,
    )
  }
  return name
}

/** Full properties for a new queue: defaults, then the given settings, validated. */
export function newQueueProperties(name: string, settings: QueueSettings = {}, now = Date.now()): QueueProperties {
  const base: QueueProperties = {
    name: validateQueueName(name),
    lockDurationMs: QUEUE_DEFAULTS.lockDurationMs,
    maxSizeInMegabytes: QUEUE_DEFAULTS.maxSizeInMegabytes,
    maxDeliveryCount: QUEUE_DEFAULTS.maxDeliveryCount,
    requiresSession: QUEUE_DEFAULTS.requiresSession,
    requiresDuplicateDetection: QUEUE_DEFAULTS.requiresDuplicateDetection,
    defaultMessageTimeToLiveMs: QUEUE_DEFAULTS.defaultMessageTimeToLiveMs,
    duplicateDetectionHistoryTimeWindowMs: QUEUE_DEFAULTS.duplicateDetectionHistoryTimeWindowMs,
    deadLetteringOnMessageExpiration: QUEUE_DEFAULTS.deadLetteringOnMessageExpiration,
    maxMessageSizeInKilobytes: QUEUE_DEFAULTS.maxMessageSizeInKilobytes,
    enableBatchedOperations: QUEUE_DEFAULTS.enableBatchedOperations,
    status: QUEUE_DEFAULTS.status,
    authorizationRules: [],
    enablePartitioning: settings.enablePartitioning ?? false,
    autoDeleteOnIdleMs: TIMESPAN_MAX_MS,
    createdAt: now,
    updatedAt: now,
  }
  return applyQueueSettings(base, settings, now)
}

/** A copy of `current` with `settings` applied and validated (the name never changes). */
export function applyQueueSettings(current: QueueProperties, settings: QueueSettings, now = Date.now()): QueueProperties {
  if (settings.enablePartitioning !== undefined && settings.enablePartitioning !== (current.enablePartitioning ?? false)) {
    // Azure's answer to a changed EnablePartitioning on update.
    throw new BrokerError('BadRequest', `Partitioning cannot be changed for Queue. EnablePartitioning is fixed when the queue is created.`)
  }
  const next: QueueProperties = {...current}
  for (const [key, value] of Object.entries(settings)) {
    if (value !== undefined) (next as unknown as Record<string, unknown>)[key] = value
  }
  next.updatedAt = now
  // '' clears a forward (what an ATOM or ARM PUT without the field means: PUT replaces).
  if (!next.forwardTo) delete next.forwardTo
  if (!next.forwardDeadLetteredMessagesTo) delete next.forwardDeadLetteredMessagesTo
  positive('lockDuration', next.lockDurationMs, LIMITS.maxLockDurationMs)
  positive('maxSizeInMegabytes', next.maxSizeInMegabytes, LIMITS.maxQueueSizeInMegabytes)
  positive('maxDeliveryCount', next.maxDeliveryCount, LIMITS.maxInt32)
  positive('defaultMessageTimeToLive', next.defaultMessageTimeToLiveMs, TIMESPAN_MAX_MS)
  positive('duplicateDetectionHistoryTimeWindow', next.duplicateDetectionHistoryTimeWindowMs, LIMITS.maxDuplicateDetectionWindowMs)
  positive('maxMessageSizeInKilobytes', next.maxMessageSizeInKilobytes, LIMITS.maxMessageSizeInKilobytes)
  if (next.autoDeleteOnIdleMs !== undefined && next.autoDeleteOnIdleMs < LIMITS.minAutoDeleteOnIdleMs) {
    throw new BrokerError('BadRequest', `autoDeleteOnIdle must be at least 5 minutes (PT5M), got ${next.autoDeleteOnIdleMs} ms`)
  }
  if (!Number.isInteger(next.maxDeliveryCount)) throw new BrokerError('BadRequest', 'maxDeliveryCount must be an integer')
  if (!STATUSES.includes(next.status)) throw new BrokerError('BadRequest', `status must be one of ${STATUSES.join(', ')}`)
  for (const flag of [
    'requiresSession',
    'requiresDuplicateDetection',
    'deadLetteringOnMessageExpiration',
    'enableBatchedOperations',
    'enablePartitioning',
  ] as const) {
    if (next[flag] !== undefined && typeof next[flag] !== 'boolean') throw new BrokerError('BadRequest', `${flag} must be true or false`)
  }
  return next
}
