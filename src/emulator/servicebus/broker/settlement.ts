// Settlement and the timers of a message's life: complete, abandon, defer, dead-letter, lock
// renewal and expiry (redelivery with the delivery count raised, or the dead-letter queue past
// the max delivery count), TTL expiry and scheduled activation. Every change is logged.
import type {EmulatorLogger} from '../logger.js'
import {queueKey, type MessageStore, type StoreRecord} from '../store/message-store.js'
import {BrokerError} from './broker-error.js'
import {deadLetterMessage, DEAD_LETTER_REASONS, type DeadLetterOptions, expireMessage} from './dead-letter.js'
import type {Entity} from './entity.js'
import type {PropertyEditor, PropertyValue, StoredMessage} from './message.js'
import type {MessageLock, MessageLocks} from './message-locks.js'
import type {Queue} from './queue.js'

export interface SettlementDependencies {
  queues: Map<string, Queue>
  locks: MessageLocks<Entity>
  store: MessageStore
  editor: PropertyEditor
  logger: EmulatorLogger
  now: () => number
  /** Hands available messages of an entity to its consumers. */
  pump: (entity: Entity) => void
  /** A store write nobody waits for. */
  persist: (records: StoreRecord[]) => void
  isClosed: () => boolean
  /** The records of a dead-lettering, forwarded when the queue forwards dead letters (forwarding.ts). */
  deadLettered: (queue: Queue, record: StoreRecord) => StoreRecord[]
}

export function lockLost(): BrokerError {
  return new BrokerError('MessageLockLost', 'The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue.')
}

export class Settlement {
  constructor(private readonly deps: SettlementDependencies) {}

  async complete(lockToken: string): Promise<void> {
    const {queue, entity, message} = this.takeLock(lockToken)
    entity.remove(message.sequenceNumber)
    await this.deps.store.append([{type: 'message-delete', queue: queue.name, subQueue: entity.subQueue, sequenceNumber: message.sequenceNumber}])
  }

  async abandon(lockToken: string, propertiesToModify?: Record<string, PropertyValue>): Promise<void> {
    const {queue, entity, message} = this.takeLock(lockToken)
    await this.redeliverOrDeadLetter(queue, entity, message, propertiesToModify)
  }

  async defer(lockToken: string, propertiesToModify?: Record<string, PropertyValue>): Promise<void> {
    const {queue, entity, message} = this.takeLock(lockToken)
    entity.locked.delete(message.sequenceNumber)
    // Azure counts every lock that ends without completion as a delivery attempt, deferral too: the
    // SDK's own deferral test expects deliveryCount 1 when the deferred message is received again.
    message.deliveryCount++
    entity.setState(message, 'deferred')
    await this.deps.store.append([this.changeRecord(queue, entity, message, propertiesToModify)])
  }

  async deadLetter(lockToken: string, options: DeadLetterOptions = {}): Promise<void> {
    const {queue, entity, message} = this.takeLock(lockToken)
    if (entity !== queue.main) {
      // Dead-lettering a dead letter leaves it where it is (Azure does the same).
      entity.release(message.sequenceNumber)
      this.deps.pump(entity)
      return
    }
    await this.deps.store.append(this.deps.deadLettered(queue, deadLetterMessage(queue, message, options, this.deps.editor)))
    this.deps.pump(queue.deadLetter)
  }

  /** Extends a lock; the new locked-until time. */
  renewLock(lockToken: string): number {
    const current = this.deps.locks.get(lockToken)
    if (!current) throw lockLost()
    const queue = this.deps.queues.get(queueKey(current.entity.queueName))
    if (!queue) throw lockLost()
    return this.deps.locks.renew(lockToken, queue.properties.lockDurationMs)!.lockedUntilUtc
  }

  private takeLock(lockToken: string): {queue: Queue; entity: Entity; message: StoredMessage} {
    const lock = this.deps.locks.take(lockToken)
    const queue = lock && this.deps.queues.get(queueKey(lock.entity.queueName))
    const message = lock && queue ? lock.entity.messages.get(lock.sequenceNumber) : undefined
    if (!lock || !queue || !message) throw lockLost()
    lock.entity.sessions?.get(message.sessionId ?? '')?.lock?.tokens.delete(lock.token)
    return {queue, entity: lock.entity, message}
  }

  lockExpired(lock: MessageLock<Entity>): void {
    const queue = this.deps.queues.get(queueKey(lock.entity.queueName))
    const message = lock.entity.messages.get(lock.sequenceNumber)
    if (!queue || !message || this.deps.isClosed()) return
    this.redeliverOrDeadLetter(queue, lock.entity, message).catch(error => this.deps.logger.error(`lock expiry: ${(error as Error).message}`))
  }

  /** After abandon or lock expiry: delivery count +1, then back to the queue or to the DLQ. */
  private async redeliverOrDeadLetter(queue: Queue, entity: Entity, message: StoredMessage, properties?: Record<string, PropertyValue>): Promise<void> {
    message.deliveryCount++
    if (entity === queue.main && message.deliveryCount >= queue.properties.maxDeliveryCount) {
      const record = deadLetterMessage(queue, message, {
        reason: DEAD_LETTER_REASONS.maxDeliveryCount,
        description: `Message could not be consumed after ${queue.properties.maxDeliveryCount} delivery attempts.`,
        properties,
      }, this.deps.editor)
      await this.deps.store.append(this.deps.deadLettered(queue, record))
      this.deps.pump(queue.deadLetter)
      return
    }
    const record = this.changeRecord(queue, entity, message, properties)
    if (entity === queue.main && message.expiresAtUtc !== undefined && message.expiresAtUtc <= this.deps.now()) {
      await this.deps.store.append([record])
      this.expire(queue, message)
      return
    }
    entity.release(message.sequenceNumber)
    this.deps.pump(entity)
    await this.deps.store.append([record])
  }

  private changeRecord(queue: Queue, entity: Entity, message: StoredMessage, properties?: Record<string, PropertyValue>): StoreRecord {
    if (properties && Object.keys(properties).length > 0) {
      entity.replacePayload(message, this.deps.editor.setApplicationProperties(message.payload, properties))
      return {type: 'message-put', queue: queue.name, subQueue: entity.subQueue, message}
    }
    return {type: 'message-update', queue: queue.name, subQueue: entity.subQueue, sequenceNumber: message.sequenceNumber, deliveryCount: message.deliveryCount, state: message.state}
  }

  /** TTL timer: the message expires unless it is locked (then it expires when the lock ends). */
  expire(queue: Queue, message: StoredMessage): void {
    const record = expireMessage(queue, message, this.deps.editor)
    if (record) this.deps.persist(this.deps.deadLettered(queue, record))
    if (queue.properties.deadLetteringOnMessageExpiration) this.deps.pump(queue.deadLetter)
  }

  /** Called by the queue's TTL timer. */
  expireDue(queue: Queue, sequenceNumber: number, at: number): void {
    const message = queue.main.messages.get(sequenceNumber)
    if (!message || message.expiresAtUtc !== at || queue.main.locked.has(sequenceNumber) || message.state === 'scheduled') return
    this.expire(queue, message)
  }

  /**
   * Called by the queue's scheduling timer. As in Azure, the message is enqueued as if sent now:
   * a new sequence number (after every message sent meanwhile) and enqueued time.
   */
  activateDue(queue: Queue, sequenceNumber: number): void {
    const message = queue.main.messages.get(sequenceNumber)
    if (!message || message.state !== 'scheduled') return
    queue.main.remove(sequenceNumber)
    const activated: StoredMessage = {...message, sequenceNumber: queue.nextSequenceNumber++, enqueuedTimeUtc: this.deps.now(), state: 'active'}
    queue.main.insert(activated)
    if (activated.expiresAtUtc !== undefined) queue.expiry.add(activated.expiresAtUtc, activated.sequenceNumber)
    // Put before delete: a crash between the two leaves a copy rather than losing the message.
    this.deps.persist([
      {type: 'message-put', queue: queue.name, subQueue: 'main', message: activated},
      {type: 'message-delete', queue: queue.name, subQueue: 'main', sequenceNumber},
    ])
    this.deps.pump(queue.main)
  }
}
