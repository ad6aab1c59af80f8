// How queues and policies look to people.
import {formatDuration} from '../../common/duration.js'
import type {Column} from '../output.js'
import type {PolicyInfo, QueueInfo} from './types.js'

const NEVER_MS = 10_000 * 86_400_000

export const queueColumns: Array<Column<QueueInfo>> = [
  {header: 'NAME', get: queue => queue.name},
  {header: 'STATUS', get: queue => queue.status},
  {header: 'ACTIVE', get: queue => queue.counts?.active ?? '', align: 'right'},
  {header: 'DEAD-LETTER', get: queue => queue.counts?.deadLetter ?? '', align: 'right'},
  {header: 'SCHEDULED', get: queue => queue.counts?.scheduled ?? '', align: 'right'},
]

const duration = (ms: number) => (Number.isFinite(ms) ? (ms >= NEVER_MS ? 'never' : formatDuration(ms)) : '')

export function queueProperties(queue: QueueInfo): Array<[string, unknown]> {
  const rows: Array<[string, unknown]> = [
    ['name', queue.name],
    ['status', queue.status],
    ['lock duration', duration(queue.lockDurationMs)],
    ['max delivery count', queue.maxDeliveryCount],
    ['default ttl', duration(queue.defaultTtlMs)],
    ['dead-letter on expiration', queue.deadLetterOnExpiration],
    ['requires session', queue.requiresSession],
    ['duplicate detection', queue.duplicateDetection ? `on (${duration(queue.duplicateDetectionWindowMs)})` : 'off'],
    ['max size', `${queue.maxSizeMb} MB`],
  ]
  if (queue.maxMessageSizeKb) rows.push(['max message size', `${queue.maxMessageSizeKb} KB`])
  if (queue.autoDeleteOnIdleMs !== undefined) rows.push(['auto-delete on idle', duration(queue.autoDeleteOnIdleMs)])
  if (queue.forwardTo) rows.push(['forward to', queue.forwardTo])
  if (queue.forwardDeadLettersTo) rows.push(['forward dead letters to', queue.forwardDeadLettersTo])
  if (queue.enablePartitioning !== undefined) rows.push(['partitioning', queue.enablePartitioning ? 'on' : 'off'])
  if (queue.createdAt) rows.push(['created', queue.createdAt])
  if (queue.updatedAt) rows.push(['updated', queue.updatedAt])
  if (queue.counts) {
    rows.push(
      ['active messages', queue.counts.active],
      ['dead-lettered', queue.counts.deadLetter],
      ['scheduled', queue.counts.scheduled],
      ['transfer', queue.counts.transfer],
      ['transfer dead-letter', queue.counts.transferDeadLetter],
    )
    if (queue.counts.sizeInBytes !== undefined) rows.push(['size', `${queue.counts.sizeInBytes} bytes`])
  }
  return rows
}

export const policyColumns: Array<Column<PolicyInfo>> = [
  {header: 'NAME', get: policy => policy.name},
  {header: 'QUEUE', get: policy => policy.queue},
  {header: 'RIGHTS', get: policy => policy.rights.join(',')},
]
