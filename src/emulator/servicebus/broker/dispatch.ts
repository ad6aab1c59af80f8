// Handing messages out: available messages to consumers with credit (round robin; on a session
// queue, each session receiver gets its own session's messages, in order), peek-locking them or
// removing them (receive-and-delete), and deferred messages received by sequence number.
import {queueKey, type StoreRecord} from '../store/message-store.js'
import {BrokerError} from './broker-error.js'
import type {Consumer, Entity, ReceiveMode} from './entity.js'
import type {Delivery, StoredMessage} from './message.js'
import type {MessageLocks} from './message-locks.js'
import type {Queue} from './queue.js'
import type {SessionManager} from './sessions.js'

export interface DispatchDependencies {
  queues: Map<string, Queue>
  locks: MessageLocks<Entity>
  sessions: SessionManager
  now: () => number
  persist: (records: StoreRecord[]) => void
  /** A store write whose outcome matters (receive-and-delete: the message leaves only once it is durable). */
  append: (records: StoreRecord[]) => Promise<void>
  /** TTL expiry of a message found expired on its way out. */
  expire: (queue: Queue, message: StoredMessage) => void
  isClosed: () => boolean
}

const RETRY_AFTER_REFUSED_DELETE_MS = 1000

export class Dispatcher {
  constructor(private readonly deps: DispatchDependencies) {}

  /** Hands available messages to consumers with credit. */
  pump(entity: Entity): void {
    const queue = this.deps.queues.get(queueKey(entity.queueName))
    if (!queue || this.deps.isClosed()) return
    if (entity.sessions) {
      this.pumpSessions(queue, entity)
      return
    }
    while (entity.hasAvailable()) {
      const consumer = entity.nextReadyConsumer()
      if (!consumer) return
      const message = entity.takeAvailable()
      if (!message) return
      if (!this.expiredNow(queue, entity, message)) this.deliver(queue, entity, consumer, message)
    }
  }

  /**
   * receive-by-sequence-number: deferred messages, peek-locked or removed. All or nothing: a
   * number that names no deferred message (of the session, if given) fails the request.
   */
  takeDeferred(queue: Queue, entity: Entity, sequenceNumbers: number[], mode: ReceiveMode, sessionId?: string): Delivery[] {
    const unique = [...new Set(sequenceNumbers)]
    const missing = unique.filter(sequenceNumber => {
      const message = entity.messages.get(sequenceNumber)
      return (
        !message ||
        message.state !== 'deferred' ||
        entity.locked.has(sequenceNumber) ||
        (sessionId !== undefined && message.sessionId !== sessionId)
      )
    })
    if (missing.length > 0) {
      throw new BrokerError(
        'MessageNotFound',
        `Failed to lock one or more specified messages. Either the message is not deferred, is locked, or does not exist. Sequence numbers: ${missing.join(', ')}.`,
      )
    }
    queue.accessedAt = this.deps.now()
    return unique.map(sequenceNumber => {
      const message = entity.messages.get(sequenceNumber)!
      if (mode === 'peekLock') return this.lockMessage(queue, entity, message)
      return {message, entityPath: entity.path, durable: this.removeDurably(queue, entity, message)}
    })
  }

  /** Session receivers get the messages of their own session only, in order. */
  private pumpSessions(queue: Queue, entity: Entity): void {
    this.deps.sessions.offer(queue)
    for (const consumer of [...entity.consumers]) {
      while (consumer.sessionId !== undefined && consumer.credit() > 0) {
        const message = entity.takeAvailable(consumer.sessionId)
        if (!message) break
        if (!this.expiredNow(queue, entity, message)) this.deliver(queue, entity, consumer, message)
      }
    }
  }

  private expiredNow(queue: Queue, entity: Entity, message: StoredMessage): boolean {
    if (entity !== queue.main || message.expiresAtUtc === undefined || message.expiresAtUtc > this.deps.now()) return false
    this.deps.expire(queue, message)
    return true
  }

  private deliver(queue: Queue, entity: Entity, consumer: Consumer, message: StoredMessage): void {
    queue.accessedAt = this.deps.now()
    if (consumer.mode === 'receiveAndDelete') {
      consumer.deliver({message, entityPath: entity.path, durable: this.removeDurably(queue, entity, message)})
      return
    }
    consumer.deliver(this.lockMessage(queue, entity, message))
  }

  /**
   * Receive-and-delete is at most once: the message leaves memory at once (nobody else gets it)
   * and leaves the emulator only once its removal is durable. When the store refuses the removal
   * the message goes back, available again, and the entity is pumped a little later (a full disk
   * is not retried in a tight loop).
   */
  private removeDurably(queue: Queue, entity: Entity, message: StoredMessage): Promise<void> {
    entity.remove(message.sequenceNumber)
    const durable = this.deps.append([
      {type: 'message-delete', queue: queue.name, subQueue: entity.subQueue, sequenceNumber: message.sequenceNumber},
    ])
    durable.catch(() => {
      if (this.deps.queues.get(queueKey(queue.name)) !== queue || entity.messages.has(message.sequenceNumber)) return
      entity.insert(message)
      setTimeout(() => this.pump(entity), RETRY_AFTER_REFUSED_DELETE_MS).unref()
    })
    return durable
  }

  /** Peek-locks a message: by its session's lock for a session message, else for the lock duration. */
  private lockMessage(queue: Queue, entity: Entity, message: StoredMessage): Delivery {
    const session = this.deps.sessions.lockOf(entity, message.sessionId)
    const lock = session
      ? this.deps.locks.add(entity, message.sequenceNumber, 0, false)
      : this.deps.locks.add(entity, message.sequenceNumber, queue.properties.lockDurationMs)
    if (session) {
      // The session's lock governs its messages: the same instant, not one recomputed from now().
      lock.lockedUntilUtc = session.lockedUntilUtc
      session.tokens.add(lock.token)
    }
    entity.locked.add(message.sequenceNumber)
    return {message, entityPath: entity.path, lockToken: lock.token, lockedUntilUtc: lock.lockedUntilUtc}
  }
}
