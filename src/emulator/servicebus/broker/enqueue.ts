// Putting messages into a queue: size and quota checks, duplicate detection, session ids on
// queues that require them, sequence numbers, scheduled messages (a plain send with a future
// `x-opt-scheduled-enqueue-time`, or schedule-message) and cancelling them. A send resolves, and
// its messages become receivable, once they are durable.
import {randomUUID} from 'node:crypto'

import {TIMESPAN_MAX_MS} from '../constants.js'
import type {MessageStore, StoreRecord} from '../store/message-store.js'
import {BrokerError} from './broker-error.js'
import type {Entity} from './entity.js'
import type {IncomingMessage, StoredMessage} from './message.js'
import {checkPartitionKeys} from './partition-rules.js'
import type {Queue} from './queue.js'
import {QueuedMessage} from '../store/queued-message.js'
import {copyPayload} from '../payload-arena.js'

export interface EnqueueDependencies {
  store: MessageStore
  now: () => number
  /** False once the queue was deleted (a send that committed meanwhile is not admitted). */
  isLive: (queue: Queue) => boolean
  pump: (entity: Entity) => void
  /**
   * Where accepted messages go, when not into the queue itself (a topic: copies into its
   * subscriptions). Undefined: the queue's own main entity.
   */
  route?: (queue: Queue, accepted: StoredMessage[]) => EnqueuePlan | undefined
}

/** The records of an enqueue, and what to do in memory once they are durable. */
export interface EnqueuePlan {
  records: StoreRecord[]
  commit(): void
}

const SESSION_ID_REQUIRED =
  'The SessionId was not set on a message, and it cannot be sent to the entity. Entities that have session support enabled can only receive messages that have the SessionId set to a valid value.'

/** Puts a (durable) message into a queue's main entity with its timers. */
export function admit(queue: Queue, message: StoredMessage): void {
  queue.main.insert(message)
  if (message.state === 'scheduled' && message.scheduledEnqueueTimeUtc !== undefined)
    queue.activation.add(message.scheduledEnqueueTimeUtc, message.sequenceNumber)
  if (message.expiresAtUtc !== undefined) queue.expiry.add(message.expiresAtUtc, message.sequenceNumber)
  if (queue.properties.requiresDuplicateDetection) {
    queue.rememberMessageId(message.messageId, message.enqueuedTimeUtc + queue.properties.duplicateDetectionHistoryTimeWindowMs)
  }
}

export class Enqueuer {
  constructor(private readonly deps: EnqueueDependencies) {}

  /**
   * All or nothing. A duplicate (when the queue detects them) is accepted and dropped, as Azure
   * does. `numberDuplicates` (schedule-message): the duplicate still gets a sequence number, of
   * nothing (cancelling it fails), as Azure hands one back (azure-service-bus#265); a send's
   * duplicate gets none.
   */
  async enqueue(queue: Queue, incoming: IncomingMessage[], numberDuplicates = false): Promise<number[]> {
    if (incoming.length === 0) return []
    const {properties} = queue
    checkPartitionKeys(properties, incoming)
    const maxMessageBytes = properties.maxMessageSizeInKilobytes * 1024
    let bytes = 0
    for (const message of incoming) {
      if (message.payload.length > maxMessageBytes) {
        throw new BrokerError(
          'MessageSizeExceeded',
          `The message of ${message.payload.length} bytes exceeds the queue's limit of ${maxMessageBytes} bytes.`,
        )
      }
      if (properties.requiresSession && message.sessionId === undefined) throw new BrokerError('BadRequest', SESSION_ID_REQUIRED)
      bytes += message.payload.length
    }
    if (queue.sizeBytes + queue.pendingBytes + bytes > queue.maxSizeBytes) {
      throw new BrokerError(
        'QuotaExceeded',
        `The maximum entity size of ${properties.maxSizeInMegabytes} MB has been exceeded for '${queue.name}'.`,
      )
    }
    const now = this.deps.now()
    const accepted: StoredMessage[] = []
    const numbers: number[] = []
    let burned = false
    for (const message of incoming) {
      const messageId = message.messageId ?? randomUUID()
      if (properties.requiresDuplicateDetection && queue.isDuplicate(messageId, now)) {
        if (numberDuplicates) {
          numbers.push(queue.nextSequenceNumber++)
          burned = true
        }
        continue
      }
      const stored = newMessage(queue, message, messageId, now, this.deps.store.durable)
      accepted.push(stored)
      numbers.push(stored.sequenceNumber)
    }
    // A number handed out for a dropped duplicate is never given again, after a restart too.
    const sequence: StoreRecord[] = burned ? [{type: 'sequence', queue: queue.name, next: queue.nextSequenceNumber}] : []
    if (accepted.length === 0) {
      if (sequence.length > 0) await this.deps.store.append(sequence)
      return numbers
    }
    const acceptedBytes = accepted.reduce((sum, message) => sum + message.payload.length, 0)
    queue.pendingBytes += acceptedBytes
    const plan = this.deps.route?.(queue, accepted) ?? this.ownPlan(queue, accepted)
    if (sequence.length > 0) plan.records.push(...sequence)
    try {
      await this.deps.store.append(plan.records)
    } finally {
      queue.pendingBytes -= acceptedBytes
    }
    queue.accessedAt = now
    if (this.deps.isLive(queue)) plan.commit()
    return numbers
  }

  private ownPlan(queue: Queue, accepted: StoredMessage[]): EnqueuePlan {
    return {
      records: accepted.map(message => ({type: 'message-put', queue: queue.name, subQueue: 'main', message})),
      commit: () => {
        for (const message of accepted) admit(queue, message)
        this.deps.pump(queue.main)
      },
    }
  }

  /** cancel-scheduled-message: all or nothing; an unknown or no longer scheduled number fails. */
  async cancelScheduled(queue: Queue, sequenceNumbers: number[]): Promise<void> {
    const missing = sequenceNumbers.filter(sequenceNumber => queue.main.messages.get(sequenceNumber)?.state !== 'scheduled')
    if (missing.length > 0) throw new BrokerError('MessageNotFound', `Messages not found. Missing sequence numbers: ${missing.join(', ')}.`)
    const removed = [...new Set(sequenceNumbers)]
    for (const sequenceNumber of removed) queue.main.remove(sequenceNumber)
    await this.deps.store.append(
      removed.map(sequenceNumber => ({type: 'message-delete', queue: queue.name, subQueue: 'main', sequenceNumber})),
    )
  }
}

/**
 * The message as stored. Its body is a view into the transfer's bytes, which may share memory with
 * a larger socket buffer: in memory it is copied into the payload arena. A durable store writes it
 * to the log and drops it from memory once it is durable (the hot bodies aside, a few MB), so
 * there the copy is skipped: it cost ~10 % of the emulator's CPU in durable ingest.
 */
function newMessage(queue: Queue, message: IncomingMessage, messageId: string, now: number, durable: boolean): StoredMessage {
  const queueTtl = queue.properties.defaultMessageTimeToLiveMs
  const ttl = message.timeToLiveMs !== undefined && message.timeToLiveMs > 0 ? Math.min(message.timeToLiveMs, queueTtl) : queueTtl
  const scheduled = message.scheduledEnqueueTimeUtc !== undefined && message.scheduledEnqueueTimeUtc > now
  const stored: StoredMessage = new QueuedMessage(
    {
      sequenceNumber: queue.nextSequenceNumber++,
      enqueuedTimeUtc: now,
      deliveryCount: 0,
      state: scheduled ? 'scheduled' : 'active',
      messageId,
    },
    durable ? message.payload : copyPayload(message.payload),
  )
  if (ttl < TIMESPAN_MAX_MS) stored.expiresAtUtc = (scheduled ? message.scheduledEnqueueTimeUtc! : now) + ttl
  if (message.timeToLiveMs !== undefined) stored.timeToLiveMs = ttl
  if (scheduled) stored.scheduledEnqueueTimeUtc = message.scheduledEnqueueTimeUtc
  if (message.sessionId !== undefined) stored.sessionId = message.sessionId
  if (message.partitionKey !== undefined) stored.partitionKey = message.partitionKey
  return stored
}
