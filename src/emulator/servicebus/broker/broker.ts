// The broker core: queues, sends, and the life of a message (delivery, locks, settlement, expiry,
// dead-lettering). Pure TypeScript: it talks to a MessageStore and to Consumers, never to sockets.
// Every change is logged to the store; a send resolves (and becomes receivable) once durable.
import {randomUUID} from 'node:crypto'

import {TIMESPAN_MAX_MS} from '../constants.js'
import type {EmulatorLogger} from '../logger.js'
import {queueKey, type MessageStore, type StoreRecord, type SubQueue} from '../store/message-store.js'
import {BrokerError, entityNotFound} from './broker-error.js'
import type {Consumer, Entity} from './entity.js'
import type {Delivery, IncomingMessage, PropertyEditor, PropertyValue, StoredMessage} from './message.js'
import {MessageLocks} from './message-locks.js'
import {Queue, type QueueRuntimeCounts} from './queue.js'
import {applyQueueSettings, newQueueProperties, type QueueProperties, type QueueSettings} from './queue-properties.js'
import type {DeadLetterOptions} from './dead-letter.js'
import {Settlement} from './settlement.js'
import {SessionManager, type SessionGrant, type SessionRequest} from './sessions.js'
import {resetQueues, type QueueResetSummary} from './reset.js'

export interface BrokerOptions {
  store: MessageStore
  propertyEditor: PropertyEditor
  logger: EmulatorLogger
  now?: () => number
}

export type {QueueRuntimeCounts} from './queue.js'

export interface ConsumerHandle {
  /** Call when the consumer's credit went up: pending messages are delivered. */
  creditAdded(): void
  remove(): void
}

/** A session receiver: its handle at once, its session once one is locked for it. */
export interface SessionConsumerHandle extends ConsumerHandle {
  granted: Promise<SessionGrant>
}

/** update-disposition's statuses (the wire spells `defered`). */
export type DispositionStatus = 'completed' | 'abandoned' | 'defered' | 'suspended'

export interface DispositionOptions {
  deadLetterReason?: string
  deadLetterDescription?: string
  propertiesToModify?: Record<string, PropertyValue>
}

const SESSION_ID_REQUIRED =
  'The SessionId was not set on a message, and it cannot be sent to the entity. Entities that have session support enabled can only receive messages that have the SessionId set to a valid value.'

/** What a path such as `q`, `q/$DeadLetterQueue` or `q/$management` names. */
export interface ResolvedPath {
  queue: Queue
  entity: Entity
  management: boolean
}

export class Broker {
  readonly queues = new Map<string, Queue>()
  readonly locks: MessageLocks<Entity>
  readonly now: () => number
  private readonly store: MessageStore
  private readonly editor: PropertyEditor
  private readonly logger: EmulatorLogger
  private readonly settlement: Settlement
  private readonly sessions: SessionManager
  private closed = false

  constructor(options: BrokerOptions) {
    this.store = options.store
    this.editor = options.propertyEditor
    this.logger = options.logger
    this.now = options.now ?? Date.now
    this.locks = new MessageLocks<Entity>(lock => this.settlement.lockExpired(lock), this.now)
    this.settlement = new Settlement({
      queues: this.queues,
      locks: this.locks,
      store: this.store,
      editor: this.editor,
      logger: this.logger,
      now: this.now,
      pump: entity => this.pump(entity),
      persist: records => this.persist(records),
      isClosed: () => this.closed,
    })
    this.sessions = new SessionManager({
      locks: this.locks,
      store: this.store,
      now: this.now,
      pump: entity => this.pump(entity),
      redeliver: lock => this.settlement.lockExpired(lock),
    })
  }

  /** Loads what the store kept; call once before anything else. */
  async open(): Promise<void> {
    const snapshot = await this.store.open()
    for (const stored of snapshot.queues) {
      const queue = this.addQueue(stored.properties, stored.nextSequenceNumber)
      for (const message of stored.main) this.admit(queue, message)
      for (const message of stored.deadLetter) queue.deadLetter.insert(message)
      for (const [sessionId, state] of Object.entries(stored.sessionStates ?? {})) {
        if (queue.main.sessions) queue.main.session(sessionId).state = Buffer.from(state, 'base64')
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.locks.clear()
    for (const queue of this.queues.values()) {
      queue.stopTimers()
      this.sessions.dropQueue(queue)
    }
    await this.store.close()
  }

  // ---- queues -------------------------------------------------------------------------------

  getQueue(name: string): QueueProperties | undefined {
    return this.queues.get(queueKey(name))?.properties
  }

  listQueues(): QueueProperties[] {
    return [...this.queues.values()].map(queue => queue.properties).sort((a, b) => a.name.localeCompare(b.name))
  }

  async createQueue(name: string, settings: QueueSettings = {}): Promise<QueueProperties> {
    if (this.queues.has(queueKey(name))) throw new BrokerError('EntityAlreadyExists', `The messaging entity '${name}' already exists.`)
    const properties = newQueueProperties(name, settings, this.now())
    this.addQueue(properties, 1)
    await this.store.append([{type: 'queue-put', properties}])
    return properties
  }

  async updateQueue(name: string, settings: QueueSettings): Promise<QueueProperties> {
    const queue = this.requireQueue(name)
    const properties = applyQueueSettings(queue.properties, settings, this.now())
    queue.properties = properties
    await this.store.append([{type: 'queue-put', properties}])
    for (const entity of [queue.main, queue.deadLetter]) this.pump(entity)
    return properties
  }

  async deleteQueue(name: string): Promise<void> {
    const queue = this.requireQueue(name)
    this.queues.delete(queueKey(name))
    queue.stopTimers()
    this.sessions.dropQueue(queue, entityNotFound(queue.name))
    for (const entity of [queue.main, queue.deadLetter]) {
      this.locks.dropEntity(entity)
      for (const consumer of entity.consumers.splice(0)) consumer.close(entityNotFound(entity.path))
    }
    await this.store.append([{type: 'queue-delete', name: queue.name}])
  }

  /** Empties every queue, or the one named, keeping queues and settings (reset.ts). */
  reset(name?: string): Promise<QueueResetSummary[]> {
    const queues = name === undefined ? [...this.queues.values()] : [this.requireQueue(name)]
    return resetQueues(queues, {locks: this.locks, store: this.store})
  }

  runtimeCounts(name: string): QueueRuntimeCounts {
    return this.requireQueue(name).runtimeCounts()
  }


  /** `q`, `q/$DeadLetterQueue`, and either followed by `/$management`; case-insensitive. */
  resolve(path: string): ResolvedPath {
    const segments = path.split('/')
    let management = false
    if (segments.at(-1)?.toLowerCase() === '$management') {
      management = true
      segments.pop()
    }
    let subQueue: SubQueue = 'main'
    if (segments.at(-1)?.toLowerCase() === '$deadletterqueue') {
      subQueue = 'deadLetter'
      segments.pop()
    }
    const queue = this.queues.get(queueKey(segments.join('/')))
    if (!queue) throw entityNotFound(path)
    return {queue, entity: subQueue === 'main' ? queue.main : queue.deadLetter, management}
  }

  // ---- send ---------------------------------------------------------------------------------

  /**
   * Enqueues messages (one transfer: a single message or a batch), all or nothing. Resolves with
   * their sequence numbers once durable; duplicates (when the queue detects them) are accepted
   * and dropped, as Azure does, and get no sequence number.
   */
  send(path: string, incoming: IncomingMessage[]): Promise<number[]> {
    return this.enqueue(path, incoming, true)
  }

  /**
   * schedule-message: each message becomes active at its `scheduledEnqueueTimeUtc` (at once when
   * that has passed). Every message gets a sequence number, duplicates included.
   */
  schedule(path: string, incoming: IncomingMessage[]): Promise<number[]> {
    return this.enqueue(path, incoming, false)
  }

  /** cancel-scheduled-message: all or nothing; an unknown or no longer scheduled number fails. */
  async cancelScheduled(path: string, sequenceNumbers: number[]): Promise<void> {
    const {queue} = this.sendTarget(path)
    const missing = sequenceNumbers.filter(sequenceNumber => queue.main.messages.get(sequenceNumber)?.state !== 'scheduled')
    if (missing.length > 0) throw new BrokerError('MessageNotFound', `Messages not found. Missing sequence numbers: ${missing.join(', ')}.`)
    const removed = [...new Set(sequenceNumbers)]
    for (const sequenceNumber of removed) queue.main.remove(sequenceNumber)
    await this.store.append(removed.map(sequenceNumber => ({type: 'message-delete', queue: queue.name, subQueue: 'main', sequenceNumber})))
  }

  private sendTarget(path: string): {queue: Queue} {
    const {queue, entity, management} = this.resolve(path)
    if (management || entity !== queue.main) throw new BrokerError('BadRequest', `cannot send to '${path}'`)
    const {status} = queue.properties
    if (status === 'Disabled' || status === 'SendDisabled') {
      throw new BrokerError('EntityDisabled', `Messaging entity '${queue.name}' is currently disabled for send operations.`)
    }
    return {queue}
  }

  private async enqueue(path: string, incoming: IncomingMessage[], dropDuplicates: boolean): Promise<number[]> {
    const {queue} = this.sendTarget(path)
    if (incoming.length === 0) return []
    const {properties} = queue
    const maxMessageBytes = properties.maxMessageSizeInKilobytes * 1024
    let bytes = 0
    for (const message of incoming) {
      if (message.payload.length > maxMessageBytes) {
        throw new BrokerError('MessageSizeExceeded', `The message of ${message.payload.length} bytes exceeds the queue's limit of ${maxMessageBytes} bytes.`)
      }
      if (properties.requiresSession && message.sessionId === undefined) throw new BrokerError('BadRequest', SESSION_ID_REQUIRED)
      bytes += message.payload.length
    }
    if (queue.sizeBytes + queue.pendingBytes + bytes > queue.maxSizeBytes) {
      throw new BrokerError('QuotaExceeded', `The maximum entity size of ${properties.maxSizeInMegabytes} MB has been exceeded for '${queue.name}'.`)
    }
    const now = this.now()
    const accepted: StoredMessage[] = []
    for (const message of incoming) {
      const messageId = message.messageId ?? randomUUID()
      if (properties.requiresDuplicateDetection && queue.isDuplicate(messageId, now) && dropDuplicates) continue
      accepted.push(this.newMessage(queue, message, messageId, now))
    }
    if (accepted.length === 0) return []
    const acceptedBytes = accepted.reduce((sum, message) => sum + message.payload.length, 0)
    queue.pendingBytes += acceptedBytes
    try {
      await this.store.append(accepted.map(message => ({type: 'message-put', queue: queue.name, subQueue: 'main', message})))
    } finally {
      queue.pendingBytes -= acceptedBytes
    }
    queue.accessedAt = now
    if (this.queues.get(queueKey(queue.name)) !== queue) return accepted.map(message => message.sequenceNumber)
    for (const message of accepted) this.admit(queue, message)
    this.pump(queue.main)
    return accepted.map(message => message.sequenceNumber)
  }

  private newMessage(queue: Queue, message: IncomingMessage, messageId: string, now: number): StoredMessage {
    const queueTtl = queue.properties.defaultMessageTimeToLiveMs
    const ttl = message.timeToLiveMs !== undefined && message.timeToLiveMs > 0 ? Math.min(message.timeToLiveMs, queueTtl) : queueTtl
    const scheduled = message.scheduledEnqueueTimeUtc !== undefined && message.scheduledEnqueueTimeUtc > now
    const stored: StoredMessage = {
      sequenceNumber: queue.nextSequenceNumber++,
      enqueuedTimeUtc: now,
      deliveryCount: 0,
      state: scheduled ? 'scheduled' : 'active',
      messageId,
      payload: message.payload,
    }
    if (ttl < TIMESPAN_MAX_MS) stored.expiresAtUtc = (scheduled ? message.scheduledEnqueueTimeUtc! : now) + ttl
    if (message.timeToLiveMs !== undefined) stored.timeToLiveMs = ttl
    if (scheduled) stored.scheduledEnqueueTimeUtc = message.scheduledEnqueueTimeUtc
    if (message.sessionId !== undefined) stored.sessionId = message.sessionId
    if (message.partitionKey !== undefined) stored.partitionKey = message.partitionKey
    return stored
  }

  /** Puts a (durable) message into a queue's main entity with its timers. */
  private admit(queue: Queue, message: StoredMessage): void {
    queue.main.insert(message)
    if (message.state === 'scheduled' && message.scheduledEnqueueTimeUtc !== undefined) queue.activation.add(message.scheduledEnqueueTimeUtc, message.sequenceNumber)
    if (message.expiresAtUtc !== undefined) queue.expiry.add(message.expiresAtUtc, message.sequenceNumber)
    if (queue.properties.requiresDuplicateDetection) {
      queue.rememberMessageId(message.messageId, message.enqueuedTimeUtc + queue.properties.duplicateDetectionHistoryTimeWindowMs)
    }
  }

  // ---- receive ------------------------------------------------------------------------------

  addConsumer(path: string, consumer: Consumer): ConsumerHandle {
    const {queue, entity} = this.receiveTarget(path)
    if (entity.sessions) {
      throw new BrokerError('BadRequest', `It is not possible for an entity that requires sessions to create a non-sessionful message receiver. Entity: '${queue.name}'.`)
    }
    entity.consumers.push(consumer)
    this.pump(entity)
    return {
      creditAdded: () => this.pump(entity),
      remove: () => {
        const index = entity.consumers.indexOf(consumer)
        if (index >= 0) entity.consumers.splice(index, 1)
      },
    }
  }

  /** A session receiver: `granted` resolves once it holds a session's lock (see sessions.ts). */
  addSessionConsumer(path: string, consumer: Consumer, request: SessionRequest): SessionConsumerHandle {
    const {queue, entity} = this.receiveTarget(path)
    if (!entity.sessions) throw new BrokerError('BadRequest', `The queue '${path}' does not require sessions; it cannot be received from with a session receiver.`)
    const granted = this.sessions.accept(queue, consumer, request)
    return {
      granted,
      creditAdded: () => this.pump(entity),
      remove: () => this.sessions.consumerGone(queue, consumer),
    }
  }

  private receiveTarget(path: string): {queue: Queue; entity: Entity} {
    const {queue, entity, management} = this.resolve(path)
    if (management) throw new BrokerError('BadRequest', `cannot receive from '${path}'`)
    if (queue.properties.status === 'Disabled' || queue.properties.status === 'ReceiveDisabled') {
      throw new BrokerError('EntityDisabled', `Messaging entity '${queue.name}' is currently disabled for receive operations.`)
    }
    return {queue, entity}
  }

  /** Hands available messages to consumers with credit. */
  pump(entity: Entity): void {
    const queue = this.queues.get(queueKey(entity.queueName))
    if (!queue || this.closed) return
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

  /** Session receivers get the messages of their own session only, in order. */
  private pumpSessions(queue: Queue, entity: Entity): void {
    this.sessions.offer(queue)
    for (const consumer of [...entity.consumers]) {
      while (consumer.sessionId !== undefined && consumer.credit() > 0) {
        const message = entity.takeAvailable(consumer.sessionId)
        if (!message) break
        if (!this.expiredNow(queue, entity, message)) this.deliver(queue, entity, consumer, message)
      }
    }
  }

  private expiredNow(queue: Queue, entity: Entity, message: StoredMessage): boolean {
    if (entity !== queue.main || message.expiresAtUtc === undefined || message.expiresAtUtc > this.now()) return false
    this.settlement.expire(queue, message)
    return true
  }

  private deliver(queue: Queue, entity: Entity, consumer: Consumer, message: StoredMessage): void {
    queue.accessedAt = this.now()
    if (consumer.mode === 'receiveAndDelete') {
      entity.remove(message.sequenceNumber)
      this.persist([{type: 'message-delete', queue: queue.name, subQueue: entity.subQueue, sequenceNumber: message.sequenceNumber}])
      consumer.deliver({message, entityPath: entity.path})
      return
    }
    consumer.deliver(this.lockMessage(queue, entity, message))
  }

  /** Peek-locks a message: by its session's lock for a session message, else for the lock duration. */
  private lockMessage(queue: Queue, entity: Entity, message: StoredMessage): Delivery {
    const session = this.sessions.lockOf(entity, message.sessionId)
    const lock = session
      ? this.locks.add(entity, message.sequenceNumber, session.lockedUntilUtc - this.now(), false)
      : this.locks.add(entity, message.sequenceNumber, queue.properties.lockDurationMs)
    session?.tokens.add(lock.token)
    entity.locked.add(message.sequenceNumber)
    return {message, entityPath: entity.path, lockToken: lock.token, lockedUntilUtc: lock.lockedUntilUtc}
  }

  // ---- request-response operations ($management) -------------------------------------------

  /** peek-message: up to `count` messages from a sequence number on (any state); locks nothing. */
  peek(path: string, fromSequenceNumber: number, count: number, sessionId?: string): StoredMessage[] {
    const {entity} = this.resolve(path)
    return entity.peek(fromSequenceNumber, count, sessionId)
  }

  /**
   * receive-by-sequence-number: deferred messages, peek-locked or removed. All or nothing: a
   * number that names no deferred message (of the session, if given) fails the request.
   */
  receiveDeferred(path: string, sequenceNumbers: number[], mode: 'peekLock' | 'receiveAndDelete', sessionId?: string): Delivery[] {
    const {queue, entity} = this.receiveTarget(path)
    const unique = [...new Set(sequenceNumbers)]
    const missing = unique.filter(sequenceNumber => {
      const message = entity.messages.get(sequenceNumber)
      return !message || message.state !== 'deferred' || entity.locked.has(sequenceNumber) || (sessionId !== undefined && message.sessionId !== sessionId)
    })
    if (missing.length > 0) {
      throw new BrokerError('MessageNotFound', `Failed to lock one or more specified messages. Either the message is not deferred, is locked, or does not exist. Sequence numbers: ${missing.join(', ')}.`)
    }
    queue.accessedAt = this.now()
    return unique.map(sequenceNumber => {
      const message = entity.messages.get(sequenceNumber)!
      if (mode === 'peekLock') return this.lockMessage(queue, entity, message)
      entity.remove(sequenceNumber)
      this.persist([{type: 'message-delete', queue: queue.name, subQueue: entity.subQueue, sequenceNumber}])
      return {message, entityPath: entity.path}
    })
  }

  /** update-disposition: settles by lock token (deferred messages, or a receiver that is gone). */
  async updateDisposition(lockTokens: string[], status: DispositionStatus, options: DispositionOptions = {}): Promise<void> {
    for (const token of lockTokens) {
      if (status === 'completed') await this.complete(token)
      else if (status === 'abandoned') await this.abandon(token, options.propertiesToModify)
      else if (status === 'defered') await this.defer(token, options.propertiesToModify)
      else if (status === 'suspended') {
        await this.deadLetter(token, {reason: options.deadLetterReason, description: options.deadLetterDescription, properties: options.propertiesToModify})
      } else throw new BrokerError('BadRequest', `unknown disposition status '${String(status)}'`)
    }
  }

  renewSessionLock(path: string, sessionId: string): number {
    return this.sessions.renew(this.resolve(path).queue, sessionId)
  }

  getSessionState(path: string, sessionId: string): Buffer | undefined {
    return this.sessions.getState(this.resolve(path).queue, sessionId)
  }

  setSessionState(path: string, sessionId: string, state: Buffer | undefined): Promise<void> {
    return this.sessions.setState(this.resolve(path).queue, sessionId, state)
  }

  // ---- settlement (settlement.ts) -----------------------------------------------------------

  complete(lockToken: string): Promise<void> {
    return this.settlement.complete(lockToken)
  }

  abandon(lockToken: string, propertiesToModify?: Record<string, PropertyValue>): Promise<void> {
    return this.settlement.abandon(lockToken, propertiesToModify)
  }

  defer(lockToken: string, propertiesToModify?: Record<string, PropertyValue>): Promise<void> {
    return this.settlement.defer(lockToken, propertiesToModify)
  }

  deadLetter(lockToken: string, options: DeadLetterOptions = {}): Promise<void> {
    return this.settlement.deadLetter(lockToken, options)
  }

  /** Extends a lock; the new locked-until time. */
  renewLock(lockToken: string): number {
    return this.settlement.renewLock(lockToken)
  }

  /** A message by sequence number (issue 5: peek, receive-by-sequence-number). */
  messageBySequence(path: string, sequenceNumber: number): StoredMessage | undefined {
    return this.resolve(path).entity.messages.get(sequenceNumber)
  }

  // ---- helpers ------------------------------------------------------------------------------

  private addQueue(properties: QueueProperties, nextSequenceNumber: number): Queue {
    const queue = new Queue(properties, nextSequenceNumber, {
      expire: (q, sequenceNumber, at) => this.settlement.expireDue(q, sequenceNumber, at),
      activate: (q, sequenceNumber) => this.settlement.activateDue(q, sequenceNumber),
    })
    this.queues.set(queueKey(properties.name), queue)
    return queue
  }

  private requireQueue(name: string): Queue {
    const queue = this.queues.get(queueKey(name))
    if (!queue) throw entityNotFound(name)
    return queue
  }

  /** Store writes nobody waits for (timers, receive-and-delete); failures go to the log. */
  private persist(records: StoreRecord[]): void {
    this.store.append(records).catch(error => this.logger.error(`store: ${(error as Error).message}`))
  }
}
