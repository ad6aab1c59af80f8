// Settlement and the timers of a message's life: complete, abandon, defer, dead-letter, lock
// renewal and expiry (redelivery with the delivery count raised, or the dead-letter queue past
// the max delivery count), TTL expiry and scheduled activation. Every change is logged.
import type {EmulatorLogger} from '../logger.js'
import {queueKey, type MessageStore, type StoreRecord} from '../store/message-store.js'
import {BrokerError} from './broker-error.js'
import {
  applyDeadLetter,
  deadLetterMessage,
  deadLetterRecord,
  DEAD_LETTER_REASONS,
  type DeadLetterOptions,
  expireMessage,
} from './dead-letter.js'
import type {Entity} from './entity.js'
import type {PropertyEditor, PropertyValue, StoredMessage} from './message.js'
import type {MessageLock, MessageLocks} from './message-locks.js'
import type {Queue} from './queue.js'
import {copyMessage} from '../store/queued-message.js'

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

interface TakenLock {
  lock: MessageLock<Entity>
  queue: Queue
  entity: Entity
  message: StoredMessage
}

export function lockLost(): BrokerError {
  return new BrokerError(
    'MessageLockLost',
    'The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue.',
  )
}

export class Settlement {
  constructor(private readonly deps: SettlementDependencies) {}

  // A client's settlement takes effect in memory only once its record is durable; when the store
  // refuses it (a full disk), the lock is put back and the client may settle again.

  async complete(lockToken: string, scope?: Entity): Promise<void> {
    const taken = this.takeLock(lockToken, scope)
    const {queue, entity, message} = taken
    await this.durably(taken, [
      {type: 'message-delete', queue: queue.name, subQueue: entity.subQueue, sequenceNumber: message.sequenceNumber},
    ])
    entity.remove(message.sequenceNumber)
  }

  async abandon(lockToken: string, propertiesToModify?: Record<string, PropertyValue>, scope?: Entity): Promise<void> {
    const taken = this.takeLock(lockToken, scope)
    const {queue, entity, message} = taken
    const deliveryCount = message.deliveryCount + 1
    if (entity === queue.main && deliveryCount >= queue.properties.maxDeliveryCount) {
      await this.deadLetterDurably(taken, copyMessage(message, {deliveryCount}), {
        reason: DEAD_LETTER_REASONS.maxDeliveryCount,
        description: `Message could not be consumed after ${queue.properties.maxDeliveryCount} delivery attempts.`,
        properties: propertiesToModify,
      })
      this.deps.pump(queue.deadLetter)
      return
    }
    const payload = this.modifiedPayload(message, propertiesToModify)
    await this.durably(taken, [this.changeRecord(queue, entity, message, {deliveryCount, state: message.state}, payload)])
    message.deliveryCount = deliveryCount
    if (payload) entity.replacePayload(message, payload)
    if (entity === queue.main && message.expiresAtUtc !== undefined && message.expiresAtUtc <= this.deps.now()) {
      this.expire(queue, message)
      return
    }
    entity.release(message.sequenceNumber)
    this.deps.pump(entity)
  }

  async defer(lockToken: string, propertiesToModify?: Record<string, PropertyValue>, scope?: Entity): Promise<void> {
    const taken = this.takeLock(lockToken, scope)
    const {queue, entity, message} = taken
    const payload = this.modifiedPayload(message, propertiesToModify)
    await this.durably(taken, [
      this.changeRecord(queue, entity, message, {deliveryCount: message.deliveryCount, state: 'deferred'}, payload),
    ])
    entity.locked.delete(message.sequenceNumber)
    // Azure counts every lock that ends without completion as a delivery attempt, deferral too: the
    // SDK's own deferral test expects deliveryCount 1 when the deferred message is received again.
    message.deliveryCount++
    entity.setState(message, 'deferred')
    if (payload) entity.replacePayload(message, payload)
  }

  async deadLetter(lockToken: string, options: DeadLetterOptions = {}, scope?: Entity): Promise<void> {
    const taken = this.takeLock(lockToken, scope)
    const {queue, entity, message} = taken
    if (entity !== queue.main) {
      // Dead-lettering a dead letter leaves it where it is (Azure does the same).
      entity.release(message.sequenceNumber)
      this.deps.pump(entity)
      return
    }
    await this.deadLetterDurably(taken, message, options)
    this.deps.pump(queue.deadLetter)
  }

  /** Extends a lock; the new locked-until time. `scope`: the lock must be held on this entity. */
  renewLock(lockToken: string, scope?: Entity): number {
    const current = this.deps.locks.get(lockToken)
    if (!current || (scope && current.entity !== scope)) throw lockLost()
    const queue = this.deps.queues.get(queueKey(current.entity.queueName))
    if (!queue) throw lockLost()
    return this.deps.locks.renew(lockToken, queue.properties.lockDurationMs)!.lockedUntilUtc
  }

  /**
   * Takes the lock (a second settlement with it fails at once). `scope`: a settlement through an
   * entity's $management link acts only on locks held on that entity.
   */
  private takeLock(lockToken: string, scope?: Entity): TakenLock {
    const held = this.deps.locks.get(lockToken)
    if (!held || (scope && held.entity !== scope)) throw lockLost()
    const lock = this.deps.locks.take(lockToken)
    const queue = lock && this.deps.queues.get(queueKey(lock.entity.queueName))
    const message = lock && queue ? lock.entity.messages.get(lock.sequenceNumber) : undefined
    if (!lock || !queue || !message) throw lockLost()
    lock.entity.sessions?.get(message.sessionId ?? '')?.lock?.tokens.delete(lock.token)
    return {lock, queue, entity: lock.entity, message}
  }

  /**
   * A client's dead-lettering, durable before it takes effect. When the queue forwards its dead
   * letters (forwarding.ts) the message goes on to that entity instead of this dead-letter queue.
   */
  private async deadLetterDurably(taken: TakenLock, message: StoredMessage, options: DeadLetterOptions): Promise<void> {
    const {queue} = taken
    const {record, moved} = deadLetterRecord(queue, message, options, this.deps.editor)
    const records = this.deps.deadLettered(queue, record)
    await this.durably(taken, records)
    if (records.length === 1 && records[0] === record) applyDeadLetter(queue, message.sequenceNumber, moved)
    else queue.main.remove(message.sequenceNumber)
  }

  /** Appends the records; when that fails the lock is given back and the error is the client's. */
  private async durably(taken: TakenLock, records: StoreRecord[]): Promise<void> {
    try {
      await this.deps.store.append(records)
    } catch (error) {
      const {lock, entity, message} = taken
      if (entity.messages.get(message.sequenceNumber) === message && this.deps.queues.get(queueKey(entity.queueName)) === taken.queue) {
        this.deps.locks.restore(lock)
        entity.sessions?.get(message.sessionId ?? '')?.lock?.tokens.add(lock.token)
      }
      throw error
    }
  }

  private modifiedPayload(message: StoredMessage, properties?: Record<string, PropertyValue>): Buffer | undefined {
    return properties && Object.keys(properties).length > 0
      ? this.deps.editor.setApplicationProperties(message.payload, properties)
      : undefined
  }

  /** The record of a settlement's change, made before the change itself (a put with a copy when the payload changes). */
  private changeRecord(
    queue: Queue,
    entity: Entity,
    message: StoredMessage,
    fields: {deliveryCount: number; state: StoredMessage['state']},
    payload?: Buffer,
  ): StoreRecord {
    if (payload)
      return {type: 'message-put', queue: queue.name, subQueue: entity.subQueue, message: copyMessage(message, {...fields, payload})}
    return {type: 'message-update', queue: queue.name, subQueue: entity.subQueue, sequenceNumber: message.sequenceNumber, ...fields}
  }

  lockExpired(lock: MessageLock<Entity>): void {
    const queue = this.deps.queues.get(queueKey(lock.entity.queueName))
    const message = lock.entity.messages.get(lock.sequenceNumber)
    if (!queue || !message || this.deps.isClosed()) return
    this.redeliverOrDeadLetter(queue, lock.entity, message).catch(error =>
      this.deps.logger.error(`lock expiry: ${(error as Error).message}`),
    )
  }

  /** After a lock expired: delivery count +1, then back to the queue or to the DLQ (in memory at once: the lock is gone). */
  private async redeliverOrDeadLetter(
    queue: Queue,
    entity: Entity,
    message: StoredMessage,
    properties?: Record<string, PropertyValue>,
  ): Promise<void> {
    message.deliveryCount++
    if (entity === queue.main && message.deliveryCount >= queue.properties.maxDeliveryCount) {
      const record = deadLetterMessage(
        queue,
        message,
        {
          reason: DEAD_LETTER_REASONS.maxDeliveryCount,
          description: `Message could not be consumed after ${queue.properties.maxDeliveryCount} delivery attempts.`,
          properties,
        },
        this.deps.editor,
      )
      await this.deps.store.append(this.deps.deadLettered(queue, record))
      this.deps.pump(queue.deadLetter)
      return
    }
    const record = this.expiryChangeRecord(queue, entity, message, properties)
    if (entity === queue.main && message.expiresAtUtc !== undefined && message.expiresAtUtc <= this.deps.now()) {
      await this.deps.store.append([record])
      this.expire(queue, message)
      return
    }
    entity.release(message.sequenceNumber)
    this.deps.pump(entity)
    await this.deps.store.append([record])
  }

  private expiryChangeRecord(
    queue: Queue,
    entity: Entity,
    message: StoredMessage,
    properties?: Record<string, PropertyValue>,
  ): StoreRecord {
    if (properties && Object.keys(properties).length > 0) {
      entity.replacePayload(message, this.deps.editor.setApplicationProperties(message.payload, properties))
      return {type: 'message-put', queue: queue.name, subQueue: entity.subQueue, message}
    }
    return {
      type: 'message-update',
      queue: queue.name,
      subQueue: entity.subQueue,
      sequenceNumber: message.sequenceNumber,
      deliveryCount: message.deliveryCount,
      state: message.state,
    }
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
    const activated = copyMessage(message, {
      sequenceNumber: queue.nextSequenceNumber++,
      enqueuedTimeUtc: this.deps.now(),
      state: 'active',
    })
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
