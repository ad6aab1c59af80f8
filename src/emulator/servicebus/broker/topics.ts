// The broker's topics, subscriptions and rules: their life cycle (create, update, delete, each
// logged), a topic send's route (copies into the matching subscriptions, durable in one batch
// record), and the activation of a topic's scheduled messages. broker.ts delegates here.
import {queueKey, type MessageStore, type StoreRecord, type StoredSubscription, type StoredTopic} from '../store/message-store.js'
import {copyMessage} from '../store/queued-message.js'
import {BrokerError, entityNotFound} from './broker-error.js'
import {admit, type EnqueuePlan} from './enqueue.js'
import type {Entity} from './entity.js'
import type {PropertyEditor, StoredMessage} from './message.js'
import type {MessageLocks} from './message-locks.js'
import type {Queue} from './queue.js'
import {compileRule, DEFAULT_RULE_NAME, defaultRule, type RuleProperties} from './rules/rule.js'
import type {SessionManager} from './sessions.js'
import type {Forwarding, Routed} from './forwarding.js'
import {fanOut, SubscriptionQueue, TopicQueue, type MessageInspector} from './topic.js'
import {
  applySubscriptionSettings,
  applyTopicSettings,
  newSubscriptionProperties,
  newTopicProperties,
  subscriptionPath,
  type SubscriptionProperties,
  type SubscriptionSettings,
  type TopicProperties,
  type TopicSettings,
} from './topic-properties.js'

export interface TopicsDependencies {
  /** Every queue-shaped container by key: queues, topics' holding queues, subscriptions. */
  entities: Map<string, Queue>
  store: MessageStore
  locks: MessageLocks<Entity>
  sessions: SessionManager
  forwarding: Forwarding
  inspector: MessageInspector
  editor: PropertyEditor
  now: () => number
  pump: (entity: Entity) => void
  persist: (records: StoreRecord[]) => void
  /** The timers of a new container (TTL expiry, scheduled activation). */
  timers: ConstructorParameters<typeof TopicQueue>[2]
  /** For a topic's scheduled messages: activation fans out instead. */
  topicTimers: ConstructorParameters<typeof TopicQueue>[2]
}

export interface TopicRuntimeCounts {
  sizeInBytes: number
  subscriptionCount: number
  scheduledMessageCount: number
  createdAt: number
  updatedAt: number
  accessedAt: number
}

export class Topics {
  readonly topics = new Map<string, TopicQueue>()

  constructor(private readonly deps: TopicsDependencies) {}

  /** Rebuilds topics and subscriptions from the store's snapshot (before any queue message moves). */
  restore(topics: StoredTopic[], subscriptions: StoredSubscription[]): void {
    for (const stored of topics) {
      const topic = this.addTopic(stored.properties, stored.nextSequenceNumber)
      for (const [id, until] of stored.recentMessageIds ?? []) topic.rememberMessageId(id, until)
      for (const message of stored.main) admit(topic, message)
    }
    for (const stored of subscriptions) {
      const topic = this.topics.get(queueKey(stored.properties.topicName))
      if (!topic) continue
      const subscription = this.addSubscription(topic, stored.properties, stored.nextSequenceNumber)
      for (const rule of stored.rules) subscription.putRule(rule)
      for (const message of stored.main) admit(subscription, message)
      for (const message of stored.deadLetter) subscription.deadLetter.insert(message)
      for (const [sessionId, state] of Object.entries(stored.sessionStates ?? {})) {
        if (subscription.main.sessions) subscription.main.session(sessionId).state = Buffer.from(state, 'base64')
      }
      // Copies carry the topic's numbers: the topic's counter never goes back below them.
      topic.nextSequenceNumber = Math.max(topic.nextSequenceNumber, stored.nextSequenceNumber)
    }
  }

  // ---- topics -------------------------------------------------------------------------------

  get(name: string): TopicProperties | undefined {
    return this.topics.get(queueKey(name))?.topic
  }

  list(): TopicProperties[] {
    return [...this.topics.values()].map(topic => topic.topic).sort((a, b) => a.name.localeCompare(b.name))
  }

  async create(name: string, settings: TopicSettings = {}): Promise<TopicProperties> {
    if (this.deps.entities.has(queueKey(name)))
      throw new BrokerError('EntityAlreadyExists', `The messaging entity '${name}' already exists.`)
    const properties = newTopicProperties(name, settings, this.deps.now())
    this.addTopic(properties, 1)
    await this.deps.store.append([{type: 'topic-put', properties}])
    return properties
  }

  async update(name: string, settings: TopicSettings): Promise<TopicProperties> {
    const topic = this.require(name)
    const properties = applyTopicSettings(topic.topic, settings, this.deps.now())
    topic.setTopic(properties)
    await this.deps.store.append([{type: 'topic-put', properties}])
    return properties
  }

  async delete(name: string): Promise<void> {
    const topic = this.require(name)
    const records: StoreRecord[] = []
    for (const subscription of [...topic.subscriptions.values()]) records.push(this.dropSubscription(topic, subscription))
    this.topics.delete(queueKey(name))
    this.deps.entities.delete(queueKey(name))
    topic.stopTimers()
    records.push({type: 'topic-delete', name: topic.name})
    await this.deps.store.append(records)
  }

  runtimeCounts(name: string): TopicRuntimeCounts {
    const topic = this.require(name)
    return {
      sizeInBytes: topic.sizeBytes,
      subscriptionCount: topic.subscriptions.size,
      scheduledMessageCount: topic.main.scheduledCount,
      createdAt: topic.topic.createdAt,
      updatedAt: topic.topic.updatedAt,
      accessedAt: topic.accessedAt,
    }
  }

  require(name: string): TopicQueue {
    const topic = this.topics.get(queueKey(name))
    if (!topic) throw entityNotFound(name)
    return topic
  }

  // ---- subscriptions ------------------------------------------------------------------------

  getSubscription(topicName: string, name: string): SubscriptionProperties | undefined {
    return this.topics.get(queueKey(topicName))?.subscriptions.get(queueKey(name))?.subscription
  }

  listSubscriptions(topicName: string): SubscriptionProperties[] {
    return [...this.require(topicName).subscriptions.values()]
      .map(s => s.subscription)
      .sort((a, b) => a.subscriptionName.localeCompare(b.subscriptionName))
  }

  /** A new subscription gets the `$Default` rule (a TRUE filter) unless another rule is given. */
  async createSubscription(
    topicName: string,
    name: string,
    settings: SubscriptionSettings = {},
    rule?: RuleProperties,
  ): Promise<SubscriptionProperties> {
    const topic = this.require(topicName)
    if (topic.subscriptions.has(queueKey(name)))
      throw new BrokerError('EntityAlreadyExists', `The messaging entity '${subscriptionPath(topic.name, name)}' already exists.`)
    const properties = newSubscriptionProperties(topic.name, name, settings, this.deps.now())
    const first = rule ?? defaultRule(this.deps.now())
    compileRule(first)
    const subscription = this.addSubscription(topic, properties, 1)
    subscription.putRule(first)
    await this.deps.store.append([
      {
        type: 'batch',
        records: [
          {type: 'subscription-put', properties},
          {type: 'rule-put', topic: topic.name, subscription: name, rule: first},
        ],
      },
    ])
    return properties
  }

  async updateSubscription(topicName: string, name: string, settings: SubscriptionSettings): Promise<SubscriptionProperties> {
    const subscription = this.requireSubscription(topicName, name)
    const properties = applySubscriptionSettings(subscription.subscription, settings, this.deps.now())
    subscription.setSubscription(properties)
    await this.deps.store.append([{type: 'subscription-put', properties}])
    for (const entity of [subscription.main, subscription.deadLetter]) this.deps.pump(entity)
    return properties
  }

  async deleteSubscription(topicName: string, name: string): Promise<void> {
    const topic = this.require(topicName)
    const subscription = this.requireSubscription(topicName, name)
    await this.deps.store.append([this.dropSubscription(topic, subscription)])
  }

  requireSubscription(topicName: string, name: string): SubscriptionQueue {
    const subscription = this.require(topicName).subscriptions.get(queueKey(name))
    if (!subscription) throw entityNotFound(subscriptionPath(topicName, name))
    return subscription
  }

  // ---- rules --------------------------------------------------------------------------------

  listRules(topicName: string, subscriptionName: string): RuleProperties[] {
    return [...this.requireSubscription(topicName, subscriptionName).rules.values()].map(rule => rule.properties)
  }

  getRule(topicName: string, subscriptionName: string, name: string): RuleProperties | undefined {
    return this.requireSubscription(topicName, subscriptionName).rules.get(name.toLowerCase())?.properties
  }

  /** Adds a rule (`replace`: an update of an existing one); invalid SQL is refused here. */
  async putRule(topicName: string, subscriptionName: string, rule: RuleProperties, replace = false): Promise<RuleProperties> {
    const subscription = this.requireSubscription(topicName, subscriptionName)
    const existing = subscription.rules.get(rule.name.toLowerCase())
    if (existing && !replace)
      throw new BrokerError('EntityAlreadyExists', `The messaging entity '${subscription.path}/Rules/${rule.name}' already exists.`)
    if (!existing && replace) throw entityNotFound(`${subscription.path}/Rules/${rule.name}`)
    const stored = existing ? {...rule, name: existing.properties.name, createdAt: existing.properties.createdAt} : rule
    subscription.putRule(stored)
    await this.deps.store.append([
      {
        type: 'rule-put',
        topic: subscription.subscription.topicName,
        subscription: subscription.subscription.subscriptionName,
        rule: stored,
      },
    ])
    return stored
  }

  async deleteRule(topicName: string, subscriptionName: string, name: string): Promise<void> {
    const subscription = this.requireSubscription(topicName, subscriptionName)
    const rule = subscription.rules.get(name.toLowerCase())
    if (!rule) throw new BrokerError('EntityNotFound', `The messaging entity '${subscription.path}/Rules/${name}' could not be found.`)
    subscription.rules.delete(name.toLowerCase())
    await this.deps.store.append([
      {
        type: 'rule-delete',
        topic: subscription.subscription.topicName,
        subscription: subscription.subscription.subscriptionName,
        name: rule.properties.name,
      },
    ])
  }

  // ---- messages -----------------------------------------------------------------------------

  /** The enqueue plan of a topic send: scheduled messages stay in the topic, the rest fan out. */
  route(queue: Queue, accepted: StoredMessage[]): EnqueuePlan | undefined {
    if (!(queue instanceof TopicQueue)) return undefined
    const scheduled = accepted.filter(message => message.state === 'scheduled')
    const active = accepted.filter(message => message.state !== 'scheduled')
    const copies = this.copiesOf(queue, active)
    const records: StoreRecord[] = [
      ...scheduled.map(message => ({type: 'message-put', queue: queue.name, subQueue: 'main', message}) as StoreRecord),
      ...copies.records,
    ]
    records.push({type: 'sequence', queue: queue.name, next: queue.nextSequenceNumber})
    if (queue.topic.requiresDuplicateDetection && active.length > 0) {
      const window = queue.topic.duplicateDetectionHistoryTimeWindowMs
      records.push({
        type: 'message-ids',
        queue: queue.name,
        ids: active.map(message => [message.messageId, message.enqueuedTimeUtc + window]),
      })
    }
    return {
      records: [{type: 'batch', records}],
      commit: () => {
        for (const message of scheduled) admit(queue, message)
        this.deps.forwarding.place(copies.placements)
      },
    }
  }

  /** A topic's scheduled message is due: it fans out now, with a new sequence number, as Azure does. */
  activate(topic: TopicQueue, sequenceNumber: number): void {
    const message = topic.main.messages.get(sequenceNumber)
    if (!message || message.state !== 'scheduled') return
    topic.main.remove(sequenceNumber)
    const activated = copyMessage(message, {
      sequenceNumber: topic.nextSequenceNumber++,
      enqueuedTimeUtc: this.deps.now(),
      state: 'active',
      scheduledEnqueueTimeUtc: undefined,
    })
    if (message.timeToLiveMs !== undefined) activated.expiresAtUtc = activated.enqueuedTimeUtc + message.timeToLiveMs
    const copies = this.copiesOf(topic, [activated])
    this.deps.persist([
      {
        type: 'batch',
        records: [
          ...copies.records,
          {type: 'sequence', queue: topic.name, next: topic.nextSequenceNumber},
          {type: 'message-delete', queue: topic.name, subQueue: 'main', sequenceNumber},
        ],
      },
    ])
    this.deps.forwarding.place(copies.placements)
  }

  /** The subscriptions' copies, each placed in its subscription or forwarded on (forwarding.ts). */
  private copiesOf(topic: TopicQueue, messages: StoredMessage[]): Routed {
    const routed: Routed = {records: [], placements: []}
    for (const copy of fanOut(topic, messages, this.deps.inspector, this.deps.editor).copies) {
      const inner = this.deps.forwarding.copy({queue: copy.subscription, message: copy.message, deadLetter: copy.deadLetter})
      routed.records.push(...inner.records)
      routed.placements.push(...inner.placements)
    }
    return routed
  }

  // ---- helpers ------------------------------------------------------------------------------

  private addTopic(properties: TopicProperties, nextSequenceNumber: number): TopicQueue {
    const topic = new TopicQueue(properties, nextSequenceNumber, this.deps.topicTimers)
    this.topics.set(queueKey(properties.name), topic)
    this.deps.entities.set(queueKey(properties.name), topic)
    return topic
  }

  private addSubscription(topic: TopicQueue, properties: SubscriptionProperties, nextSequenceNumber: number): SubscriptionQueue {
    const subscription = new SubscriptionQueue(properties, topic.topic, nextSequenceNumber, this.deps.timers)
    topic.subscriptions.set(queueKey(properties.subscriptionName), subscription)
    this.deps.entities.set(queueKey(subscription.name), subscription)
    return subscription
  }

  private dropSubscription(topic: TopicQueue, subscription: SubscriptionQueue): StoreRecord {
    topic.subscriptions.delete(queueKey(subscription.subscription.subscriptionName))
    this.deps.entities.delete(queueKey(subscription.name))
    subscription.stopTimers()
    this.deps.sessions.dropQueue(subscription, entityNotFound(subscription.path))
    for (const entity of [subscription.main, subscription.deadLetter]) {
      this.deps.locks.dropEntity(entity)
      for (const consumer of entity.consumers.splice(0)) consumer.close(entityNotFound(entity.path))
    }
    return {type: 'subscription-delete', topic: topic.name, subscription: subscription.subscription.subscriptionName}
  }
}

export {DEFAULT_RULE_NAME}
