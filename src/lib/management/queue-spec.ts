// Queue settings from flags, validated before any call is made (Azure's limits).
import {randomBytes} from 'node:crypto'

import {formatDuration, parseDuration} from '../../common/duration.js'
import {registerSecret} from '../../common/redact.js'
import {UsageError} from '../../common/errors.js'
import {QUEUE_STATUSES, type AccessRight, type QueueSpec, type QueueStatus} from './types.js'

export const LIMITS = {
  lockDurationMs: {min: 5_000, max: 300_000},
  duplicateDetectionWindowMs: {min: 20_000, max: 7 * 86_400_000},
  maxDeliveryCount: {min: 1, max: 2000},
  defaultTtlMs: {min: 1_000},
  autoDeleteOnIdleMs: {min: 5 * 60_000},
} as const

export interface QueueSpecFlags {
  'lock-duration'?: string
  'max-delivery-count'?: number
  'default-ttl'?: string
  'dead-letter-on-expiration'?: boolean
  'requires-session'?: boolean
  'duplicate-detection-window'?: string
  'max-size-mb'?: number
  'max-message-size-kb'?: number
  'auto-delete-on-idle'?: string
  status?: string
  'forward-to'?: string
  'forward-dead-letters-to'?: string
  'enable-partitioning'?: boolean
}

export function within(name: string, ms: number, range: {min: number; max?: number}): number {
  if (ms < range.min || (range.max !== undefined && ms > range.max)) {
    const limit =
      range.max === undefined
        ? `at least ${formatDuration(range.min)}`
        : `between ${formatDuration(range.min)} and ${formatDuration(range.max)}`
    throw new UsageError(`--${name} must be ${limit}, got ${formatDuration(ms)}`)
  }
  return ms
}

export function queueSpecFromFlags(flags: QueueSpecFlags): QueueSpec {
  const spec: QueueSpec = {}
  if (flags['lock-duration'] !== undefined)
    spec.lockDurationMs = within('lock-duration', parseDuration(flags['lock-duration'], 'lock duration'), LIMITS.lockDurationMs)
  if (flags['default-ttl'] !== undefined)
    spec.defaultTtlMs = within('default-ttl', parseDuration(flags['default-ttl'], 'time to live'), LIMITS.defaultTtlMs)
  if (flags['duplicate-detection-window'] !== undefined) {
    spec.duplicateDetectionWindowMs = within(
      'duplicate-detection-window',
      parseDuration(flags['duplicate-detection-window'], 'duplicate detection window'),
      LIMITS.duplicateDetectionWindowMs,
    )
  }
  const count = flags['max-delivery-count']
  if (count !== undefined) {
    if (!Number.isInteger(count) || count < LIMITS.maxDeliveryCount.min || count > LIMITS.maxDeliveryCount.max) {
      throw new UsageError(`--max-delivery-count must be between 1 and ${LIMITS.maxDeliveryCount.max}, got ${count}`)
    }
    spec.maxDeliveryCount = count
  }
  for (const [flag, key] of [
    ['max-size-mb', 'maxSizeMb'],
    ['max-message-size-kb', 'maxMessageSizeKb'],
  ] as const) {
    const value = flags[flag]
    if (value === undefined) continue
    if (!Number.isInteger(value) || value <= 0) throw new UsageError(`--${flag} must be a positive whole number, got ${value}`)
    spec[key] = value
  }
  if (flags['dead-letter-on-expiration'] !== undefined) spec.deadLetterOnExpiration = flags['dead-letter-on-expiration']
  if (flags['requires-session'] !== undefined) spec.requiresSession = flags['requires-session']
  if (flags['auto-delete-on-idle'] !== undefined) {
    spec.autoDeleteOnIdleMs = within(
      'auto-delete-on-idle',
      parseDuration(flags['auto-delete-on-idle'], 'auto-delete-on-idle interval'),
      LIMITS.autoDeleteOnIdleMs,
    )
  }
  if (flags['forward-to'] !== undefined) spec.forwardTo = flags['forward-to']
  if (flags['forward-dead-letters-to'] !== undefined) spec.forwardDeadLettersTo = flags['forward-dead-letters-to']
  if (flags.status !== undefined) spec.status = parseStatus(flags.status)
  if (flags['enable-partitioning'] !== undefined) spec.enablePartitioning = flags['enable-partitioning']
  return spec
}

/** A new shared access key, as Azure generates them (32 random bytes, base64). */
export function newKey(): string {
  const key = randomBytes(32).toString('base64')
  registerSecret(key)
  return key
}

/** Azure fixes partitioning at creation; refuse a change before calling the service. */
export function checkPartitioningUnchanged(spec: QueueSpec, current: boolean | undefined): void {
  if (spec.enablePartitioning !== undefined && spec.enablePartitioning !== (current ?? false)) {
    throw new UsageError('partitioning cannot be turned on or off on an existing queue', {
      hint: 'Create a new queue with --enable-partitioning.',
    })
  }
}

const RIGHTS: readonly AccessRight[] = ['Listen', 'Send', 'Manage']

/** "Listen,Send" -> ['Listen', 'Send']; Manage needs Listen and Send too (as Azure requires). */
export function parseRights(text: string): AccessRight[] {
  const rights = text
    .split(',')
    .map(part => part.trim())
    .filter(Boolean)
    .map(part => {
      const right = RIGHTS.find(candidate => candidate.toLowerCase() === part.toLowerCase())
      if (!right) throw new UsageError(`unknown right "${part}"`, {hint: 'Rights: Listen, Send, Manage (comma-separated).'})
      return right
    })
  if (rights.length === 0) throw new UsageError('--rights needs at least one of Listen, Send, Manage')
  const unique = [...new Set(rights)]
  if (unique.includes('Manage') && !(unique.includes('Listen') && unique.includes('Send'))) {
    throw new UsageError('a Manage policy also needs Listen and Send', {hint: 'Use --rights Listen,Send,Manage.'})
  }
  return unique
}

/** --status of a queue, topic or subscription: one of Azure's entity statuses, in any case. */
export function parseStatus(text: string): QueueStatus {
  const status = QUEUE_STATUSES.find(candidate => candidate.toLowerCase() === text.toLowerCase())
  if (!status) throw new UsageError(`--status must be one of ${QUEUE_STATUSES.join(', ')}, got ${text}`)
  return status
}
