// Topic, subscription and rule settings from flags, validated before any call is made (Azure's limits).
import {parseDuration} from '../../../common/duration.js'
import {UsageError} from '../../../common/errors.js'
import {parseProperty} from '../../servicebus/properties.js'
import {LIMITS, parseStatus, within} from '../queue-spec.js'
import type {CorrelationProperties, RuleFilter, RuleSpec, SubscriptionSpec, TopicSpec} from './types.js'

/** Azure's floor for AutoDeleteOnIdle. */
const AUTO_DELETE_MIN_MS = 5 * 60_000

export interface TopicSpecFlags {
  'default-ttl'?: string
  'duplicate-detection-window'?: string
  'max-size-mb'?: number
  'max-message-size-kb'?: number
  'support-ordering'?: boolean
  'enable-partitioning'?: boolean
  'auto-delete-on-idle'?: string
  status?: string
}

export interface SubscriptionSpecFlags {
  'lock-duration'?: string
  'max-delivery-count'?: number
  'default-ttl'?: string
  'dead-letter-on-expiration'?: boolean
  'dead-letter-on-filter-error'?: boolean
  'requires-session'?: boolean
  'forward-to'?: string
  'forward-dead-letters-to'?: string
  'auto-delete-on-idle'?: string
  status?: string
}

export interface RuleFilterFlags {
  sql?: string
  correlation?: string[]
  filter?: string
  action?: string
}

function positive(flag: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined
  if (!Number.isInteger(value) || value <= 0) throw new UsageError(`--${flag} must be a positive whole number, got ${value}`)
  return value
}

function autoDelete(text: string | undefined): number | undefined {
  return text === undefined
    ? undefined
    : within('auto-delete-on-idle', parseDuration(text, 'auto-delete-on-idle'), {min: AUTO_DELETE_MIN_MS})
}

export function topicSpecFromFlags(flags: TopicSpecFlags): TopicSpec {
  const spec: TopicSpec = {
    defaultTtlMs:
      flags['default-ttl'] === undefined
        ? undefined
        : within('default-ttl', parseDuration(flags['default-ttl'], 'time to live'), LIMITS.defaultTtlMs),
    duplicateDetectionWindowMs:
      flags['duplicate-detection-window'] === undefined
        ? undefined
        : within(
            'duplicate-detection-window',
            parseDuration(flags['duplicate-detection-window'], 'duplicate detection window'),
            LIMITS.duplicateDetectionWindowMs,
          ),
    maxSizeMb: positive('max-size-mb', flags['max-size-mb']),
    maxMessageSizeKb: positive('max-message-size-kb', flags['max-message-size-kb']),
    supportOrdering: flags['support-ordering'],
    enablePartitioning: flags['enable-partitioning'],
    autoDeleteOnIdleMs: autoDelete(flags['auto-delete-on-idle']),
    status: flags.status === undefined ? undefined : parseStatus(flags.status),
  }
  return dropUndefined(spec)
}

export function subscriptionSpecFromFlags(flags: SubscriptionSpecFlags): SubscriptionSpec {
  const count = flags['max-delivery-count']
  if (count !== undefined && (!Number.isInteger(count) || count < LIMITS.maxDeliveryCount.min || count > LIMITS.maxDeliveryCount.max)) {
    throw new UsageError(`--max-delivery-count must be between 1 and ${LIMITS.maxDeliveryCount.max}, got ${count}`)
  }
  const spec: SubscriptionSpec = {
    lockDurationMs:
      flags['lock-duration'] === undefined
        ? undefined
        : within('lock-duration', parseDuration(flags['lock-duration'], 'lock duration'), LIMITS.lockDurationMs),
    maxDeliveryCount: count,
    defaultTtlMs:
      flags['default-ttl'] === undefined
        ? undefined
        : within('default-ttl', parseDuration(flags['default-ttl'], 'time to live'), LIMITS.defaultTtlMs),
    deadLetterOnExpiration: flags['dead-letter-on-expiration'],
    deadLetterOnFilterError: flags['dead-letter-on-filter-error'],
    requiresSession: flags['requires-session'],
    forwardTo: flags['forward-to'],
    forwardDeadLettersTo: flags['forward-dead-letters-to'],
    autoDeleteOnIdleMs: autoDelete(flags['auto-delete-on-idle']),
    status: flags.status === undefined ? undefined : parseStatus(flags.status),
  }
  return dropUndefined(spec)
}

const SYSTEM_PROPERTIES: Record<string, keyof Omit<CorrelationProperties, 'applicationProperties'>> = {
  subject: 'subject',
  label: 'subject',
  correlationid: 'correlationId',
  messageid: 'messageId',
  to: 'to',
  replyto: 'replyTo',
  sessionid: 'sessionId',
  replytosessionid: 'replyToSessionId',
  contenttype: 'contentType',
}

/**
 * `-c subject=resize -c tenant=acme`: system properties by name (any case, dashes allowed, or with
 * `sys.`), anything else (or `user.NAME`) an application property, typed as `-p` types it.
 */
export function parseCorrelation(inputs: readonly string[]): CorrelationProperties {
  const properties: CorrelationProperties = {}
  for (const input of inputs) {
    const [rawKey, value] = parseProperty(input)
    const user = /^user\./i.exec(rawKey)
    const key = rawKey.replace(/^sys\./i, '')
    const system = user ? undefined : SYSTEM_PROPERTIES[key.toLowerCase().replaceAll('-', '').replaceAll('_', '')]
    if (system) {
      properties[system] = String(value)
    } else {
      if (value === null) throw new UsageError(`correlation property "${rawKey}" cannot be null`)
      properties.applicationProperties = {...properties.applicationProperties, [user ? rawKey.slice(5) : rawKey]: value}
    }
  }
  return properties
}

/** The filter the flags name; undefined when none is given. */
export function ruleFilterFromFlags(flags: RuleFilterFlags): RuleFilter | undefined {
  const given = [
    flags.sql !== undefined && '--sql',
    Boolean(flags.correlation?.length) && '--correlation',
    flags.filter !== undefined && '--filter',
  ].filter(Boolean)
  if (given.length > 1)
    throw new UsageError(`${given.join(' and ')} cannot be used together: a rule has one filter`, {
      hint: 'Create one rule per filter; a message matching several rules is copied once per rule.',
    })
  if (flags.sql !== undefined) {
    if (flags.sql.trim() === '')
      throw new UsageError('--sql needs an expression', {hint: 'For a filter that takes every message use --filter true.'})
    return {kind: 'sql', expression: flags.sql}
  }
  if (flags.correlation?.length) return {kind: 'correlation', properties: parseCorrelation(flags.correlation)}
  if (flags.filter === 'true') return {kind: 'true'}
  if (flags.filter === 'false') return {kind: 'false'}
  return undefined
}

export function ruleSpecFromFlags(name: string, flags: RuleFilterFlags): RuleSpec {
  const filter = ruleFilterFromFlags(flags)
  if (!filter)
    throw new UsageError('a rule needs a filter', {
      hint: 'Give one of --sql EXPR, --correlation KEY=VALUE (repeatable) or --filter true|false.',
    })
  return flags.action ? {name, filter, action: flags.action} : {name, filter}
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}
