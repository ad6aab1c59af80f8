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
  /** TTL expiry of a message found expired on its way out. */
  expire: (queue: Queue, message: StoredMessage) => void
  isClosed: () => boolean
}

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
      return !message || message.state !== 'deferred' || entity.locked.has(sequenceNumber) || (sessionId !== undefined && message.sessionId !== sessionId)
    })
    if (missing.length > 0) {
      throw new BrokerError('MessageNotFound', `Failed to lock one or more specified messages. Either the message is not deferred, is locked, or does not exist. Sequence numbers: ${missing.join(', ')}.`)
    }
    queue.accessedAt = this.deps.now()
    return unique.map(sequenceNumber => {
      const message = entity.messages.get(sequenceNumber)!
      if (mode === 'peekLock') return this.lockMessage(queue, entity, message)
      entity.remove(sequenceNumber)
      this.deps.persist([{type: 'message-delete', queue: queue.name, subQueue: entity.subQueue, sequenceNumber}])
      return {message, entityPath: entity.path}
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
      entity.remove(message.sequenceNumber)
      this.deps.persist([{type: 'message-delete', queue: queue.name, subQueue: entity.subQueue, sequenceNumber: message.sequenceNumber}])
      consumer.deliver({message, entityPath: entity.path})
      return
    }
    consumer.deliver(this.lockMessage(queue, entity, message))
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
