// How topics, subscriptions and rules look to people, and the fan-out picture of `qjob topic show`.
import {formatDuration} from '../../../common/duration.js'
import type {Column} from '../../output.js'
import type {RuleFilter, RuleInfo, SubscriptionInfo, TopicInfo, TopicPolicyInfo} from './types.js'

const NEVER_MS = 10_000 * 86_400_000
const duration = (ms: number) => (Number.isFinite(ms) ? (ms >= NEVER_MS ? 'never' : formatDuration(ms)) : '')

export function describeFilter(filter: RuleFilter): string {
  switch (filter.kind) {
    case 'true':
      return 'true (every message)'
    case 'false':
      return 'false (no message)'
    case 'sql':
      return `sql: ${filter.expression}`
    case 'correlation': {
      const {applicationProperties, ...system} = filter.properties
      const pairs = [...Object.entries(system), ...Object.entries(applicationProperties ?? {})].map(([key, value]) => `${key}=${value}`)
      return `correlation: ${pairs.join(', ')}`
    }
  }
}

export const topicColumns: Array<Column<TopicInfo>> = [
  {header: 'NAME', get: topic => topic.name},
  {header: 'STATUS', get: topic => topic.status},
  {header: 'SUBSCRIPTIONS', get: topic => topic.subscriptionCount ?? '', align: 'right'},
  {header: 'SCHEDULED', get: topic => topic.counts?.scheduled ?? '', align: 'right'},
]

export const subscriptionColumns: Array<Column<SubscriptionInfo>> = [
  {header: 'NAME', get: subscription => subscription.name},
  {header: 'STATUS', get: subscription => subscription.status},
  {header: 'ACTIVE', get: subscription => subscription.counts?.active ?? '', align: 'right'},
  {header: 'DEAD-LETTER', get: subscription => subscription.counts?.deadLetter ?? '', align: 'right'},
  {header: 'FORWARD-TO', get: subscription => subscription.forwardTo ?? ''},
]

export const ruleColumns: Array<Column<RuleInfo>> = [
  {header: 'NAME', get: rule => rule.name},
  {header: 'FILTER', get: rule => describeFilter(rule.filter)},
  {header: 'ACTION', get: rule => rule.action ?? ''},
]

export const topicPolicyColumns: Array<Column<TopicPolicyInfo>> = [
  {header: 'NAME', get: policy => policy.name},
  {header: 'TOPIC', get: policy => policy.topic},
  {header: 'RIGHTS', get: policy => policy.rights.join(',')},
]

export function topicProperties(topic: TopicInfo): Array<[string, unknown]> {
  const rows: Array<[string, unknown]> = [
    ['name', topic.name],
    ['status', topic.status],
    ['default ttl', duration(topic.defaultTtlMs)],
    ['duplicate detection', topic.duplicateDetection ? `on (${duration(topic.duplicateDetectionWindowMs)})` : 'off'],
    ['max size', `${topic.maxSizeMb} MB`],
    ['support ordering', topic.supportOrdering],
    ['partitioning', topic.enablePartitioning],
    ['auto-delete on idle', duration(topic.autoDeleteOnIdleMs)],
  ]
  if (topic.maxMessageSizeKb) rows.push(['max message size', `${topic.maxMessageSizeKb} KB`])
  if (topic.subscriptionCount !== undefined) rows.push(['subscriptions', topic.subscriptionCount])
  if (topic.counts) rows.push(['scheduled', topic.counts.scheduled])
  if (topic.createdAt) rows.push(['created', topic.createdAt])
  return rows
}

export function subscriptionProperties(subscription: SubscriptionInfo): Array<[string, unknown]> {
  const rows: Array<[string, unknown]> = [
    ['topic', subscription.topic],
    ['name', subscription.name],
    ['status', subscription.status],
    ['lock duration', duration(subscription.lockDurationMs)],
    ['max delivery count', subscription.maxDeliveryCount],
    ['default ttl', duration(subscription.defaultTtlMs)],
    ['dead-letter on expiration', subscription.deadLetterOnExpiration],
    ['dead-letter on filter error', subscription.deadLetterOnFilterError],
    ['requires session', subscription.requiresSession],
    ['auto-delete on idle', duration(subscription.autoDeleteOnIdleMs)],
  ]
  if (subscription.forwardTo) rows.push(['forward to', subscription.forwardTo])
  if (subscription.forwardDeadLettersTo) rows.push(['forward dead letters to', subscription.forwardDeadLettersTo])
  if (subscription.counts) {
    rows.push(
      ['active messages', subscription.counts.active],
      ['dead-lettered', subscription.counts.deadLetter],
      ['transfer', subscription.counts.transfer],
      ['transfer dead-letter', subscription.counts.transferDeadLetter],
    )
  }
  return rows
}

export interface FanOut {
  topic: TopicInfo
  subscriptions: Array<SubscriptionInfo & {rules: RuleInfo[]}>
}

/** The topic, then each subscription with its counts and its rules, drawn as a tree. */
export function formatFanOut({topic, subscriptions}: FanOut): string {
  const lines = [
    `${topic.name} (${topic.status}; ${subscriptions.length} subscription${subscriptions.length === 1 ? '' : 's'}; ${topic.counts?.scheduled ?? 0} scheduled)`,
  ]
  if (subscriptions.length === 0) lines.push('└─ no subscriptions: messages sent to this topic are dropped')
  subscriptions.forEach((subscription, index) => {
    const last = index === subscriptions.length - 1
    const counts = subscription.counts
    const forward = subscription.forwardTo ? ` -> ${subscription.forwardTo}` : ''
    lines.push(
      `${last ? '└─' : '├─'} ${subscription.name}  active ${counts?.active ?? '?'}, dead-letter ${counts?.deadLetter ?? '?'}${forward}`,
    )
    const rules =
      subscription.rules.length === 0
        ? ['no rules: receives nothing']
        : subscription.rules.map(
            rule => `rule ${rule.name}: ${describeFilter(rule.filter)}${rule.action ? `; action: ${rule.action}` : ''}`,
          )
    for (const rule of rules) lines.push(`${last ? '   ' : '│  '}   ${rule}`)
  })
  return lines.join('\n')
}
