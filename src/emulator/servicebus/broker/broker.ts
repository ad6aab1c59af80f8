// The broker core: queues, sends, and the life of a message (delivery, locks, settlement, expiry,
// dead-lettering). Pure TypeScript: it talks to a MessageStore and to Consumers, never to sockets.
// Every change is logged to the store; a send resolves (and becomes receivable) once durable.
import type {EmulatorLogger} from '../logger.js'
import {queueKey, type MessageStore, type StoreRecord, type SubQueue} from '../store/message-store.js'
import {holdPayloads} from '../store/payload-compaction.js'
import {QueuedMessage} from '../store/queued-message.js'
import {BrokerError, entityNotFound} from './broker-error.js'
import type {Consumer, Entity, ReceiveMode} from './entity.js'
import type {Delivery, IncomingMessage, PropertyEditor, PropertyValue, StoredMessage} from './message.js'
import {MessageLocks} from './message-locks.js'
import {Queue, type QueueRuntimeCounts} from './queue.js'
import {applyQueueSettings, newQueueProperties, type QueueProperties, type QueueSettings} from './queue-properties.js'
import type {DeadLetterOptions} from './dead-letter.js'
import {Settlement} from './settlement.js'
import {Dispatcher} from './dispatch.js'
import {admit, Enqueuer, type EnqueuePlan} from './enqueue.js'
import {SessionManager, type SessionGrant, type SessionRequest} from './sessions.js'
import {resetQueues, type QueueResetSummary} from './reset.js'
import {SubscriptionQueue, TopicQueue, type MessageInspector} from './topic.js'
import {Topics} from './topics.js'
import {checkForwardTargets, Forwarding, type Placement} from './forwarding.js'
import {subscriptionPath} from './topic-properties.js'
import {systemOnlyInspector} from './rules/system-view.js'

export interface BrokerOptions {
  store: MessageStore
  propertyEditor: PropertyEditor
  logger: EmulatorLogger
  /** Reads messages for subscription rules (topics); the AMQP codec implements it. */
  inspector?: MessageInspector
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

/** What a path such as `q`, `q/$DeadLetterQueue` or `q/$management` names. */
export interface ResolvedPath {
  queue: Queue
  entity: Entity
  management: boolean
}

export class Broker {
  readonly queues = new Map<string, Queue>()
  /** Every queue-shaped container by key: queues, topics (holding queues) and subscriptions. */
  readonly entities = new Map<string, Queue>()
  /** Topics, subscriptions and rules (topics.ts). */
  readonly topics: Topics
  readonly locks: MessageLocks<Entity>
  readonly now: () => number
  private readonly store: MessageStore
  private readonly editor: PropertyEditor
  private readonly logger: EmulatorLogger
  private readonly settlement: Settlement
  private readonly sessions: SessionManager
  private readonly dispatcher: Dispatcher
  private readonly enqueuer: Enqueuer
  private readonly forwarding: Forwarding
  private closed = false
  private releasePayloads?: () => void

  /**
   * The parts, built in one order, each given what it uses: locks -> forwarding -> settlement
   * (locks) -> sessions (locks, settlement) -> dispatcher (locks, sessions, settlement) ->
   * enqueuer -> topics. The one cycle, settlement and sessions handing messages back to the
   * dispatcher that is built after them, goes through the `pump` port (the dispatcher once
   * built); the locks get their expiry handler once the settlement exists.
   */
  constructor(options: BrokerOptions) {
    this.store = options.store
    this.editor = options.propertyEditor
    this.logger = options.logger
    this.now = options.now ?? Date.now
    const pump = new PumpPort()
    this.locks = new MessageLocks<Entity>(undefined, this.now)
    const inspector = options.inspector ?? systemOnlyInspector
    this.forwarding = new Forwarding({entities: this.entities, inspector, editor: this.editor, pump: entity => pump.pump(entity)})
    const settlement = new Settlement({
      queues: this.entities,
      locks: this.locks,
      store: this.store,
      editor: this.editor,
      logger: this.logger,
      now: this.now,
      pump: entity => pump.pump(entity),
      persist: records => this.persist(records),
      isClosed: () => this.closed,
      deadLettered: (queue, record) => this.forwarding.deadLettered(queue, record),
    })
    this.settlement = settlement
    this.locks.setExpiryHandler(lock => settlement.lockExpired(lock))
    this.sessions = new SessionManager({
      locks: this.locks,
      store: this.store,
      now: this.now,
      pump: entity => pump.pump(entity),
      redeliver: lock => settlement.lockExpired(lock),
    })
    this.dispatcher = new Dispatcher({
      queues: this.entities,
      locks: this.locks,
      sessions: this.sessions,
      now: this.now,
      persist: records => this.persist(records),
      append: records => this.store.append(records),
      expire: (queue, message) => settlement.expire(queue, message),
      isClosed: () => this.closed,
    })
    pump.bind(this.dispatcher)
    this.enqueuer = new Enqueuer({
      store: this.store,
      now: this.now,
      isLive: queue => this.entities.get(queueKey(queue.name)) === queue,
      pump: entity => pump.pump(entity),
      route: (queue, accepted) => this.topics.route(queue, accepted) ?? this.forwardedPlan(queue, accepted),
    })
    const timers = {
      expire: (q: Queue, sequenceNumber: number, at: number) => settlement.expireDue(q, sequenceNumber, at),
      activate: (q: Queue, sequenceNumber: number) => settlement.activateDue(q, sequenceNumber),
    }
    this.topics = new Topics({
      entities: this.entities,
      store: this.store,
      locks: this.locks,
      sessions: this.sessions,
      forwarding: this.forwarding,
      inspector,
      editor: this.editor,
      now: this.now,
      pump: entity => pump.pump(entity),
      persist: records => this.persist(records),
      timers,
      topicTimers: {...timers, activate: (q, sequenceNumber) => this.topics.activate(q as TopicQueue, sequenceNumber)},
    })
  }

  /** Loads what the store kept; call once before anything else. */
  async open(): Promise<void> {
    const snapshot = await this.store.open()
    this.topics.restore(snapshot.topics ?? [], snapshot.subscriptions ?? [])
    for (const stored of snapshot.queues) {
      const queue = this.addQueue(stored.properties, stored.nextSequenceNumber)
      // Ids of messages completed before the restart still count as seen within the window.
      for (const [id, until] of stored.recentMessageIds ?? []) queue.rememberMessageId(id, until)
      for (const message of stored.main) admit(queue, message)
      for (const message of stored.deadLetter) queue.deadLetter.insert(message)
      for (const [sessionId, state] of Object.entries(stored.sessionStates ?? {})) {
        if (queue.main.sessions) queue.main.session(sessionId).state = Buffer.from(state, 'base64')
      }
    }
    if (!this.store.durable)
      this.releasePayloads = holdPayloads({liveBytes: () => this.payloadBytes(), messages: () => this.queuedMessages()})
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.releasePayloads?.()
    this.locks.clear()
    for (const queue of this.entities.values()) {
      queue.stopTimers()
      this.sessions.dropQueue(queue)
    }
    await this.store.close()
  }

  private payloadBytes(): number {
    let bytes = 0
    for (const queue of this.entities.values()) bytes += queue.sizeBytes
    return bytes
  }

  private *queuedMessages(): Generator<QueuedMessage> {
    for (const queue of this.entities.values())
      for (const entity of [queue.main, queue.deadLetter])
        for (const message of entity.messages.values()) if (message instanceof QueuedMessage) yield message
  }

  // ---- queues -------------------------------------------------------------------------------

  getQueue(name: string): QueueProperties | undefined {
    return this.queues.get(queueKey(name))?.properties
  }

  listQueues(): QueueProperties[] {
    return [...this.queues.values()].map(queue => queue.properties).sort((a, b) => a.name.localeCompare(b.name))
  }

  async createQueue(name: string, settings: QueueSettings = {}): Promise<QueueProperties> {
    if (this.entities.has(queueKey(name))) throw new BrokerError('EntityAlreadyExists', `The messaging entity '${name}' already exists.`)
    const properties = newQueueProperties(name, settings, this.now())
    const queue = this.addQueue(properties, 1)
    try {
      await this.store.append([{type: 'queue-put', properties}])
    } catch (error) {
      // Not durable, so not created: a restart would not find it.
      if (this.queues.get(queueKey(name)) === queue) this.queues.delete(queueKey(name))
      queue.stopTimers()
      throw error
    }
    return properties
  }

  async updateQueue(name: string, settings: QueueSettings): Promise<QueueProperties> {
    const queue = this.requireQueue(name)
    const properties = applyQueueSettings(queue.properties, settings, this.now())
    await this.store.append([{type: 'queue-put', properties}])
    queue.properties = properties
    for (const entity of [queue.main, queue.deadLetter]) this.pump(entity)
    return properties
  }

  async deleteQueue(name: string): Promise<void> {
    const queue = this.requireQueue(name)
    // Durable first: a delete the store refused leaves the queue as it was.
    await this.store.append([{type: 'queue-delete', name: queue.name}])
    if (this.queues.get(queueKey(name)) !== queue) return
    this.queues.delete(queueKey(name))
    this.entities.delete(queueKey(name))
    queue.stopTimers()
    this.sessions.dropQueue(queue, entityNotFound(queue.name))
    for (const entity of [queue.main, queue.deadLetter]) {
      this.locks.dropEntity(entity)
      for (const consumer of entity.consumers.splice(0)) consumer.close(entityNotFound(entity.path))
    }
  }

  /**
   * For the management APIs (ATOM, ARM): refuses forwards to a queue or topic that does not exist,
   * as Azure does. Config files are not checked, as their entities may name each other in any order.
   */
  requireForwardTargets(settings: {forwardTo?: string; forwardDeadLetteredMessagesTo?: string}): void {
    checkForwardTargets(this.entities, settings)
  }

  /**
   * Empties every queue, topic and subscription, or the one named (a topic: with its
   * subscriptions), keeping entities, rules and settings (reset.ts).
   */
  reset(name?: string): Promise<QueueResetSummary[]> {
    let queues: Queue[]
    if (name === undefined) {
      // Queues by name, then each topic (by name) followed by its subscriptions.
      queues = this.listQueues().map(queue => this.requireQueue(queue.name))
      for (const topic of this.topics.list()) {
        const holding = this.topics.require(topic.name)
        queues.push(holding, ...[...holding.subscriptions.values()].sort((a, b) => a.name.localeCompare(b.name)))
      }
    } else if (this.queues.has(queueKey(name))) queues = [this.requireQueue(name)]
    else {
      const topic = this.topics.require(name)
      queues = [topic, ...topic.subscriptions.values()]
    }
    return resetQueues(queues, {locks: this.locks, store: this.store})
  }

  /** Runtime counts of a queue, or of a subscription named by its path (`topic/Subscriptions/sub`). */
  runtimeCounts(name: string): QueueRuntimeCounts {
    const subscription = this.entities.get(queueKey(name))
    if (subscription instanceof SubscriptionQueue) return subscription.runtimeCounts()
    return this.requireQueue(name).runtimeCounts()
  }

  /** Paths of every subscription (`topic/Subscriptions/sub`), sorted. */
  listSubscriptionPaths(): string[] {
    return this.topics
      .list()
      .flatMap(topic => this.topics.listSubscriptions(topic.name).map(s => subscriptionPath(s.topicName, s.subscriptionName)))
  }

  /** The shared access policies of the queue or topic an entity path belongs to (SAS checks). */
  authorizationRulesFor(path: string): QueueProperties['authorizationRules'] {
    return this.authorizationRulesOwner(path)?.rules ?? []
  }

  /**
   * The queue or topic whose own policies apply to `path` (a topic's cover its subscriptions),
   * with its name: a token signed with one of them covers that entity only.
   */
  authorizationRulesOwner(path: string): {entity: string; rules: QueueProperties['authorizationRules']} | undefined {
    const segments = path.split('/').filter(segment => !segment.startsWith('$'))
    const queue = this.queues.get(queueKey(segments.join('/')))
    if (queue) return {entity: queue.name, rules: queue.properties.authorizationRules}
    const at = segments.findIndex(segment => segment.toLowerCase() === 'subscriptions')
    const topicName = at > 0 ? segments.slice(0, at).join('/') : segments.join('/')
    const topic = this.topics.get(topicName)
    return topic && {entity: topicName, rules: topic.authorizationRules}
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
    const queue = this.entities.get(queueKey(segments.join('/')))
    if (!queue) throw entityNotFound(path)
    return {queue, entity: subQueue === 'main' ? queue.main : queue.deadLetter, management}
  }

  // ---- send ---------------------------------------------------------------------------------

  /**
   * Enqueues messages (one transfer: a single message or a batch), all or nothing. Resolves with
   * their sequence numbers once durable; duplicates (when the queue detects them) are accepted
   * and dropped, as Azure does, and get no sequence number.
   */
  async send(path: string, incoming: IncomingMessage[]): Promise<number[]> {
    return this.enqueuer.enqueue(this.sendTarget(path), incoming)
  }

  /**
   * schedule-message: each message becomes active at its `scheduledEnqueueTimeUtc` (at once when
   * that has passed). Every message gets a sequence number; a duplicate's names nothing (Azure
   * drops it as a send's, and hands back a number all the same).
   */
  async schedule(path: string, incoming: IncomingMessage[]): Promise<number[]> {
    return this.enqueuer.enqueue(this.sendTarget(path), incoming, true)
  }

  /** cancel-scheduled-message: all or nothing; an unknown or no longer scheduled number fails. */
  async cancelScheduled(path: string, sequenceNumbers: number[]): Promise<void> {
    return this.enqueuer.cancelScheduled(this.sendTarget(path), sequenceNumbers)
  }

  private sendTarget(path: string): Queue {
    const {queue, entity, management} = this.resolve(path)
    if (management || entity !== queue.main || queue instanceof SubscriptionQueue)
      throw new BrokerError('BadRequest', `cannot send to '${path}'`)
    const {status} = queue.properties
    if (status === 'Disabled' || status === 'SendDisabled') {
      throw new BrokerError('EntityDisabled', `Messaging entity '${queue.name}' is currently disabled for send operations.`)
    }
    return queue
  }

  // ---- receive ------------------------------------------------------------------------------

  addConsumer(path: string, consumer: Consumer): ConsumerHandle {
    const {queue, entity} = this.receiveTarget(path)
    if (entity.sessions) {
      throw new BrokerError(
        'BadRequest',
        `It is not possible for an entity that requires sessions to create a non-sessionful message receiver. Entity: '${queue.name}'.`,
      )
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
    if (!entity.sessions)
      throw new BrokerError(
        'BadRequest',
        `The queue '${path}' does not require sessions; it cannot be received from with a session receiver.`,
      )
    const granted = this.sessions.accept(queue, consumer, request)
    return {
      granted,
      creditAdded: () => this.pump(entity),
      remove: () => this.sessions.consumerGone(queue, consumer),
    }
  }

  private receiveTarget(path: string): {queue: Queue; entity: Entity} {
    const {queue, entity, management} = this.resolve(path)
    if (management || queue instanceof TopicQueue) throw new BrokerError('BadRequest', `cannot receive from '${path}'`)
    if (queue.properties.status === 'Disabled' || queue.properties.status === 'ReceiveDisabled') {
      throw new BrokerError('EntityDisabled', `Messaging entity '${queue.name}' is currently disabled for receive operations.`)
    }
    return {queue, entity}
  }

  /** Hands available messages to consumers with credit (dispatch.ts). */
  pump(entity: Entity): void {
    // A queue set to Disabled or ReceiveDisabled after its receivers attached hands them nothing more.
    const status = this.queues.get(queueKey(entity.queueName))?.properties.status
    if (status === 'Disabled' || status === 'ReceiveDisabled') return
    this.dispatcher.pump(entity)
  }

  // ---- request-response operations ($management) -------------------------------------------

  /** peek-message: up to `count` messages from a sequence number on (any state); locks nothing. */
  peek(path: string, fromSequenceNumber: number, count: number, sessionId?: string): StoredMessage[] {
    const {queue, entity} = this.resolve(path)
    queue.accessedAt = this.now() // a browse is activity (AutoDeleteOnIdle, idle-queues.ts)
    return entity.peek(fromSequenceNumber, count, sessionId)
  }

  /** receive-by-sequence-number: deferred messages, peek-locked or removed; all or nothing. */
  receiveDeferred(path: string, sequenceNumbers: number[], mode: ReceiveMode, sessionId?: string): Delivery[] {
    const {queue, entity} = this.receiveTarget(path)
    return this.dispatcher.takeDeferred(queue, entity, sequenceNumbers, mode, sessionId)
  }

  /**
   * update-disposition: settles by lock token (deferred messages, or a receiver that is gone).
   * `path` (the $management link's entity): only locks held on that entity are settled.
   */
  async updateDisposition(lockTokens: string[], status: DispositionStatus, options: DispositionOptions = {}, path?: string): Promise<void> {
    const scope = path === undefined ? undefined : this.resolve(path).entity
    for (const token of lockTokens) {
      if (status === 'completed') await this.settlement.complete(token, scope)
      else if (status === 'abandoned') await this.settlement.abandon(token, options.propertiesToModify, scope)
      else if (status === 'defered') await this.settlement.defer(token, options.propertiesToModify, scope)
      else if (status === 'suspended') {
        await this.settlement.deadLetter(
          token,
          {reason: options.deadLetterReason, description: options.deadLetterDescription, properties: options.propertiesToModify},
          scope,
        )
      } else throw new BrokerError('BadRequest', `unknown disposition status '${String(status)}'`)
    }
  }

  renewSessionLock(path: string, sessionId: string): number {
    return this.sessions.renew(this.resolve(path).queue, sessionId)
  }

  getSessionState(path: string, sessionId: string): Buffer | undefined {
    return this.sessions.getState(this.resolve(path).queue, sessionId)
  }

  async setSessionState(path: string, sessionId: string, state: Buffer | undefined): Promise<void> {
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

  /** Extends a lock; the new locked-until time. `path`: the lock must be held on that entity. */
  renewLock(lockToken: string, path?: string): number {
    return this.settlement.renewLock(lockToken, path === undefined ? undefined : this.resolve(path).entity)
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
    this.entities.set(queueKey(properties.name), queue)
    return queue
  }

  private requireQueue(name: string): Queue {
    const queue = this.queues.get(queueKey(name))
    if (!queue) throw entityNotFound(name)
    return queue
  }

  /** A send to a queue that forwards (ForwardTo): the messages go on, in one batch record. */
  private forwardedPlan(queue: Queue, accepted: StoredMessage[]): EnqueuePlan | undefined {
    if (!this.forwarding.target(queue)) return undefined
    const records: StoreRecord[] = []
    const placements: Placement[] = []
    for (const message of accepted) {
      const routed = this.forwarding.arrive(queue, message)
      records.push(...routed.records)
      placements.push(...routed.placements)
    }
    return {records: [{type: 'batch', records}], commit: () => this.forwarding.place(placements)}
  }

  /** Store writes nobody waits for (timers, receive-and-delete); failures go to the log. */
  private persist(records: StoreRecord[]): void {
    this.store.append(records).catch(error => this.logger.error(`store: ${(error as Error).message}`))
  }
}

/** The dispatcher as the parts built before it see it: bound once it exists (see the constructor). */
class PumpPort {
  private target?: Dispatcher

  bind(dispatcher: Dispatcher): void {
    this.target = dispatcher
  }

  pump(entity: Entity): void {
    if (!this.target) throw new Error('the broker pumped before its dispatcher was built')
    this.target.pump(entity)
  }
}
