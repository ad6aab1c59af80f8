// A queue: its properties, its two entities (main and dead-letter), its sequence counter, its
// duplicate-detection history and its timers (TTL expiry, scheduled activation).
import type {QueueProperties} from './queue-properties.js'
import {Entity} from './entity.js'
import {TimerQueue} from './timer-queue.js'

export interface QueueRuntimeCounts {
  activeMessageCount: number
  deadLetterMessageCount: number
  scheduledMessageCount: number
  deferredMessageCount: number
  transferMessageCount: number
  transferDeadLetterMessageCount: number
  totalMessageCount: number
  sizeInBytes: number
  lockedMessageCount: number
  createdAt: number
  updatedAt: number
  accessedAt: number
}

export class Queue {
  readonly main: Entity
  readonly deadLetter: Entity
  /** message id -> when it leaves the duplicate-detection window. Insertion order is time order. */
  readonly recentMessageIds = new Map<string, number>()
  readonly expiry: TimerQueue
  readonly activation: TimerQueue
  /** Bytes admitted by sends whose commit is still under way (counted against the size limit). */
  pendingBytes = 0
  accessedAt: number

  constructor(
    public properties: QueueProperties,
    public nextSequenceNumber: number,
    handlers: {
      expire: (queue: Queue, sequenceNumber: number, at: number) => void
      activate: (queue: Queue, sequenceNumber: number, at: number) => void
    },
  ) {
    this.main = new Entity(properties.name, 'main', properties.requiresSession)
    this.deadLetter = new Entity(properties.name, 'deadLetter')
    this.expiry = new TimerQueue((sequenceNumber, at) => handlers.expire(this, sequenceNumber, at))
    this.activation = new TimerQueue((sequenceNumber, at) => handlers.activate(this, sequenceNumber, at))
    this.accessedAt = properties.updatedAt
  }

  get name(): string {
    return this.properties.name
  }

  get sizeBytes(): number {
    return this.main.sizeBytes + this.deadLetter.sizeBytes
  }

  get maxSizeBytes(): number {
    return this.properties.maxSizeInMegabytes * 1024 * 1024
  }

  /** True if the id was seen within the window; otherwise remembers it. */
  isDuplicate(messageId: string, now: number): boolean {
    for (const [id, until] of this.recentMessageIds) {
      if (until > now) break
      this.recentMessageIds.delete(id)
    }
    const until = this.recentMessageIds.get(messageId)
    if (until !== undefined && until > now) return true
    this.rememberMessageId(messageId, now + this.properties.duplicateDetectionHistoryTimeWindowMs)
    return false
  }

  rememberMessageId(messageId: string, until: number): void {
    this.recentMessageIds.delete(messageId)
    this.recentMessageIds.set(messageId, until)
  }

  runtimeCounts(): QueueRuntimeCounts {
    const {main, deadLetter} = this
    return {
      activeMessageCount: main.activeCount,
      deadLetterMessageCount: deadLetter.messages.size,
      scheduledMessageCount: main.scheduledCount,
      deferredMessageCount: main.deferredCount,
      transferMessageCount: 0,
      transferDeadLetterMessageCount: 0,
      totalMessageCount: main.messages.size + deadLetter.messages.size,
      sizeInBytes: this.sizeBytes,
      lockedMessageCount: main.locked.size + deadLetter.locked.size,
      createdAt: this.properties.createdAt,
      updatedAt: this.properties.updatedAt,
      accessedAt: this.accessedAt,
    }
  }

  stopTimers(): void {
    this.expiry.stop()
    this.activation.stop()
  }
}
