// One receivable entity: a queue's main sub-queue or its dead-letter sub-queue. It holds the
// messages (by sequence number), which of them are available, which are locked, and the
// consumers (receiver links) waiting for messages. The main entity of a queue that requires
// sessions keeps its available messages per session instead of in one heap.
import type {SubQueue} from '../store/message-store.js'
import type {Delivery, StoredMessage} from './message.js'
import {numberHeap, type MinHeap} from './min-heap.js'
import {SequenceIndex} from './sequence-index.js'
import {SequenceMap} from './sequence-map.js'
import {payloadBytes} from '../store/queued-message.js'

export type ReceiveMode = 'peekLock' | 'receiveAndDelete'

/** A receiver: the AMQP adapter implements it over a link; tests can implement it directly. */
export interface Consumer {
  readonly mode: ReceiveMode
  /** How many more messages the consumer can take right now. */
  credit(): number
  deliver(delivery: Delivery): void
  /** The entity went away (queue deleted) or the session lock was lost: detach with this error. */
  close(error: Error): void
  /** Set on a session receiver once it holds its session's lock. */
  sessionId?: string
}

/** A session's lock: held by one consumer until it expires or the consumer goes away. */
export interface SessionLock {
  consumer: Consumer
  lockedUntilUtc: number
  timer: NodeJS.Timeout
  /** Lock tokens of the session's messages delivered under this lock and not settled yet. */
  tokens: Set<string>
}

/** One session of a session-enabled entity. */
export interface SessionEntry {
  readonly id: string
  readonly available: MinHeap<number>
  /** Messages of the session in the entity, in any state. */
  count: number
  lock?: SessionLock
  /** The session state (set-session-state); durable. */
  state?: Buffer
}

export class Entity {
  readonly messages = new SequenceMap<StoredMessage>()
  readonly locked = new Set<number>()
  readonly consumers: Consumer[] = []
  /** Sequence numbers in order (peek). */
  readonly order = new SequenceIndex(sequenceNumber => this.messages.has(sequenceNumber))
  /** Present on the main entity of a queue that requires sessions. */
  readonly sessions?: Map<string, SessionEntry>
  private readonly available = numberHeap()
  private nextConsumer = 0
  sizeBytes = 0
  activeCount = 0
  deferredCount = 0
  scheduledCount = 0

  constructor(
    readonly queueName: string,
    readonly subQueue: SubQueue,
    sessionful = false,
  ) {
    if (sessionful) this.sessions = new Map()
  }

  get path(): string {
    return this.subQueue === 'main' ? this.queueName : `${this.queueName}/$DeadLetterQueue`
  }

  insert(message: StoredMessage): void {
    this.messages.set(message.sequenceNumber, message)
    this.order.add(message.sequenceNumber)
    this.sizeBytes += payloadBytes(message)
    this.count(message, 1)
    const session = this.sessions && this.session(message.sessionId ?? '')
    if (session) session.count++
    if (message.state === 'active') (session?.available ?? this.available).push(message.sequenceNumber)
  }

  /** A session of this (session-enabled) entity, made on first use. */
  session(id: string): SessionEntry {
    let entry = this.sessions!.get(id)
    if (!entry) {
      entry = {id, available: numberHeap(), count: 0}
      this.sessions!.set(id, entry)
    }
    return entry
  }

  /** Forgets a session that holds nothing: no messages, no lock, no state. */
  forgetIfIdle(entry: SessionEntry): void {
    if (entry.count === 0 && !entry.lock && entry.state === undefined) this.sessions?.delete(entry.id)
  }

  /** Up to `count` messages from a sequence number on, without locking or changing them. */
  peek(from: number, count: number, sessionId?: string): StoredMessage[] {
    const result: StoredMessage[] = []
    if (count <= 0) return result
    for (const sequenceNumber of this.order.from(from)) {
      const message = this.messages.get(sequenceNumber)!
      if (sessionId !== undefined && message.sessionId !== sessionId) continue
      result.push(message)
      if (result.length >= count) break
    }
    return result
  }

  remove(sequenceNumber: number): StoredMessage | undefined {
    const message = this.messages.get(sequenceNumber)
    if (!message) return undefined
    this.messages.delete(sequenceNumber)
    this.order.removed()
    this.locked.delete(sequenceNumber)
    this.sizeBytes -= payloadBytes(message)
    this.count(message, -1)
    const session = this.sessions?.get(message.sessionId ?? '')
    if (session) {
      session.count--
      this.forgetIfIdle(session)
    }
    return message
  }

  setState(message: StoredMessage, state: StoredMessage['state']): void {
    this.count(message, -1)
    message.state = state
    this.count(message, 1)
  }

  replacePayload(message: StoredMessage, payload: Buffer): void {
    this.sizeBytes += payload.length - payloadBytes(message)
    message.payload = payload
  }

  /** Makes an active, unlocked message receivable again (abandon, lock expiry, activation). */
  release(sequenceNumber: number): void {
    this.locked.delete(sequenceNumber)
    const message = this.messages.get(sequenceNumber)
    if (message?.state !== 'active') return
    const heap = this.sessions ? this.session(message.sessionId ?? '').available : this.available
    heap.push(sequenceNumber)
  }

  /** The lowest available sequence number's message (of a session), taken off the available set. */
  takeAvailable(sessionId?: string): StoredMessage | undefined {
    const heap = this.sessions ? this.sessions.get(sessionId ?? '')?.available : this.available
    if (!heap) return undefined
    for (;;) {
      const sequenceNumber = heap.pop()
      if (sequenceNumber === undefined) return undefined
      const message = this.messages.get(sequenceNumber)
      if (message && message.state === 'active' && !this.locked.has(sequenceNumber)) return message
    }
  }

  hasAvailable(): boolean {
    return this.available.size > 0
  }

  /** True when the session has a message to deliver (stale heap entries are dropped on the way). */
  sessionHasAvailable(entry: SessionEntry): boolean {
    for (;;) {
      const sequenceNumber = entry.available.peek()
      if (sequenceNumber === undefined) return false
      const message = this.messages.get(sequenceNumber)
      if (message && message.state === 'active' && !this.locked.has(sequenceNumber)) return true
      entry.available.pop()
    }
  }

  /** A consumer with credit, round robin; undefined when none can take a message. */
  nextReadyConsumer(): Consumer | undefined {
    const count = this.consumers.length
    for (let i = 0; i < count; i++) {
      const consumer = this.consumers[(this.nextConsumer + i) % count]
      if (consumer.credit() > 0) {
        this.nextConsumer = (this.nextConsumer + i + 1) % count
        return consumer
      }
    }
    return undefined
  }

  private count(message: StoredMessage, delta: number): void {
    if (message.state === 'active') this.activeCount += delta
    else if (message.state === 'deferred') this.deferredCount += delta
    else this.scheduledCount += delta
  }
}
