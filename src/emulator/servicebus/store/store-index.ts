// The durable store's own picture of what is live: records replayed from the log, then every
// appended record, applied in log order. Compaction writes this picture out as a new log.
import type {StoredMessage} from '../broker/message.js'
import {SequenceMap} from '../broker/sequence-map.js'
import type {QueueProperties} from '../broker/queue-properties.js'
import type {RuleProperties} from '../broker/rules/rule.js'
import {subscriptionPath, type SubscriptionProperties, type TopicProperties} from '../broker/topic-properties.js'
import {
  queueKey,
  type StoredQueue,
  type StoredSubscription,
  type StoredTopic,
  type StoreRecord,
  type StoreSnapshot,
  type SubQueue,
} from './message-store.js'
import {STORE} from '../constants.js'
import {payloadBytes, type QueuedMessage} from './queued-message.js'

/** Queues, topics and subscriptions all hold messages; the kind says which properties they have. */
type Container =
  | {kind: 'queue'; properties: QueueProperties}
  | {kind: 'topic'; properties: TopicProperties}
  | {kind: 'subscription'; properties: SubscriptionProperties; rules: Map<string, RuleProperties>}

type IndexedQueue = Container & {
  name: string
  nextSequenceNumber: number
  main: SequenceMap<StoredMessage>
  deadLetter: SequenceMap<StoredMessage>
  sessionStates: Map<string, string>
  /** Duplicate-detection history: message id -> until (kept after the message itself is gone). */
  recentMessageIds: Map<string, number>
}

export class StoreIndex {
  private readonly queues = new Map<string, IndexedQueue>()
  /**
   * About the bytes the live data takes in the log (each message's body and record, session
   * states): compaction compares it with the log size. Counting bodies alone, a log of small
   * messages with nothing to drop looked mostly garbage and was rewritten for nothing.
   */
  liveBytes = 0

  apply(record: StoreRecord): void {
    switch (record.type) {
      case 'queue-put': {
        this.putContainer(record.properties.name, {kind: 'queue', properties: record.properties})
        break
      }
      case 'queue-delete':
      case 'topic-delete':
        this.deleteContainer(record.name)
        break
      case 'topic-put':
        this.putContainer(record.properties.name, {kind: 'topic', properties: record.properties})
        break
      case 'subscription-put': {
        const {topicName, subscriptionName} = record.properties
        const existing = this.queues.get(queueKey(subscriptionPath(topicName, subscriptionName)))
        const rules = existing?.kind === 'subscription' ? existing.rules : new Map<string, RuleProperties>()
        this.putContainer(subscriptionPath(topicName, subscriptionName), {kind: 'subscription', properties: record.properties, rules})
        break
      }
      case 'subscription-delete':
        this.deleteContainer(subscriptionPath(record.topic, record.subscription))
        break
      case 'rule-put':
      case 'rule-delete': {
        const container = this.queues.get(queueKey(subscriptionPath(record.topic, record.subscription)))
        if (container?.kind !== 'subscription') break
        if (record.type === 'rule-put') container.rules.set(record.rule.name.toLowerCase(), record.rule)
        else container.rules.delete(record.name.toLowerCase())
        break
      }
      case 'batch':
        for (const inner of record.records) this.apply(inner)
        break
      case 'message-put':
        this.put(record.queue, record.subQueue, record.message)
        if (record.subQueue === 'main') this.rememberMessageId(record.queue, record.message)
        break
      case 'message-update': {
        const message = this.sub(record.queue, record.subQueue)?.get(record.sequenceNumber)
        if (message) {
          message.deliveryCount = record.deliveryCount
          message.state = record.state
        }
        break
      }
      case 'message-delete':
        this.remove(record.queue, record.subQueue, record.sequenceNumber)
        break
      case 'message-move':
        this.remove(record.queue, record.from, record.message.sequenceNumber)
        this.put(record.queue, record.to, record.message)
        break
      case 'session-state': {
        const states = this.queues.get(queueKey(record.queue))?.sessionStates
        if (!states) break
        const previous = states.get(record.sessionId)
        if (previous !== undefined) this.liveBytes -= previous.length
        if (record.state === null) states.delete(record.sessionId)
        else {
          states.set(record.sessionId, record.state)
          this.liveBytes += record.state.length
        }
        break
      }
      case 'sequence': {
        const queue = this.queues.get(queueKey(record.queue))
        if (queue) queue.nextSequenceNumber = Math.max(queue.nextSequenceNumber, record.next)
        break
      }
      case 'message-ids': {
        const ids = this.queues.get(queueKey(record.queue))?.recentMessageIds
        if (ids) for (const [id, until] of record.ids) ids.set(id, Math.max(until, ids.get(id) ?? 0))
        break
      }
    }
  }

  private putContainer(name: string, container: Container): void {
    const existing = this.queues.get(queueKey(name))
    if (existing) Object.assign(existing, container)
    else
      this.queues.set(queueKey(name), {
        ...container,
        name,
        nextSequenceNumber: 1,
        main: new SequenceMap(),
        deadLetter: new SequenceMap(),
        sessionStates: new Map(),
        recentMessageIds: new Map(),
      })
  }

  private deleteContainer(name: string): void {
    const queue = this.queues.get(queueKey(name))
    if (!queue) return
    for (const map of [queue.main, queue.deadLetter]) for (const message of map.values()) this.liveBytes -= liveSize(message)
    for (const state of queue.sessionStates.values()) this.liveBytes -= state.length
    this.queues.delete(queueKey(name))
  }

  /** Remembers a sent message's id for duplicate detection, when its queue detects duplicates. */
  private rememberMessageId(queueName: string, message: StoredMessage): void {
    const queue = this.queues.get(queueKey(queueName))
    if (!queue || queue.kind === 'subscription' || !queue.properties.requiresDuplicateDetection) return
    const until = message.enqueuedTimeUtc + queue.properties.duplicateDetectionHistoryTimeWindowMs
    queue.recentMessageIds.set(message.messageId, Math.max(until, queue.recentMessageIds.get(message.messageId) ?? 0))
  }

  /** The history still in its window, oldest first; older entries are dropped. */
  private liveMessageIds(queue: IndexedQueue, now = Date.now()): Array<[string, number]> {
    for (const [id, until] of queue.recentMessageIds) if (until <= now) queue.recentMessageIds.delete(id)
    return [...queue.recentMessageIds].sort((a, b) => a[1] - b[1])
  }

  snapshot(): StoreSnapshot {
    const queues: StoredQueue[] = []
    const topics: StoredTopic[] = []
    const subscriptions: StoredSubscription[] = []
    for (const queue of this.queues.values()) {
      const contents = {
        nextSequenceNumber: queue.nextSequenceNumber,
        // In order of sequence number, as a SequenceMap gives them.
        main: [...queue.main.values()],
        deadLetter: [...queue.deadLetter.values()],
        sessionStates: Object.fromEntries(queue.sessionStates),
      }
      if (queue.kind === 'queue') queues.push({properties: queue.properties, ...contents, recentMessageIds: this.liveMessageIds(queue)})
      else if (queue.kind === 'topic')
        topics.push({properties: queue.properties, ...contents, recentMessageIds: this.liveMessageIds(queue)})
      else subscriptions.push({properties: queue.properties, rules: [...queue.rules.values()], ...contents})
    }
    // Stores without topics answer as they did before topics existed.
    return topics.length + subscriptions.length === 0 ? {queues} : {queues, topics, subscriptions}
  }

  /** The records that rebuild this index from nothing (compaction); a topic before its subscriptions. */
  *records(): Generator<StoreRecord> {
    const order = {topic: 0, subscription: 1, queue: 2}
    for (const queue of [...this.queues.values()].sort((a, b) => order[a.kind] - order[b.kind])) {
      const {name} = queue
      if (queue.kind === 'queue') yield {type: 'queue-put', properties: queue.properties}
      else if (queue.kind === 'topic') yield {type: 'topic-put', properties: queue.properties}
      else {
        yield {type: 'subscription-put', properties: queue.properties}
        for (const rule of queue.rules.values())
          yield {type: 'rule-put', topic: queue.properties.topicName, subscription: queue.properties.subscriptionName, rule}
      }
      yield {type: 'sequence', queue: name, next: queue.nextSequenceNumber}
      for (const subQueue of ['main', 'deadLetter'] as const) {
        for (const message of queue[subQueue].values()) yield {type: 'message-put', queue: name, subQueue, message}
      }
      for (const [sessionId, state] of queue.sessionStates) yield {type: 'session-state', queue: name, sessionId, state}
      const ids = this.liveMessageIds(queue)
      if (ids.length > 0) yield {type: 'message-ids', queue: name, ids}
    }
  }

  /**
   * Where messages loaded from the index file go: for each group (one sub-queue's messages, in
   * order, each new to it), a function that adds one. Their duplicate-detection history comes in
   * its own record.
   */
  restorer(): (queue: string, subQueue: SubQueue) => (message: QueuedMessage) => void {
    return (queueName, subQueue) => {
      const queue = this.queues.get(queueKey(queueName))
      if (!queue) return () => undefined
      return message => this.insert(queue, subQueue, message)
    }
  }

  private sub(queue: string, subQueue: SubQueue): SequenceMap<StoredMessage> | undefined {
    return this.queues.get(queueKey(queue))?.[subQueue]
  }

  private put(queueName: string, subQueue: SubQueue, message: StoredMessage): void {
    const queue = this.queues.get(queueKey(queueName))
    if (queue) this.insert(queue, subQueue, message)
  }

  private insert(queue: IndexedQueue, subQueue: SubQueue, message: StoredMessage): void {
    const map = queue[subQueue]
    const previous = map.get(message.sequenceNumber)
    if (previous) this.liveBytes -= liveSize(previous)
    // The broker's own object, shared (no copy per message): every change the broker makes to it
    // is also logged, and replaying a change twice (compaction racing an append) is harmless.
    map.set(message.sequenceNumber, message)
    this.liveBytes += liveSize(message)
    if (message.sequenceNumber >= queue.nextSequenceNumber) queue.nextSequenceNumber = message.sequenceNumber + 1
  }

  private remove(queueName: string, subQueue: SubQueue, sequenceNumber: number): void {
    const map = this.sub(queueName, subQueue)
    const message = map?.get(sequenceNumber)
    if (!map || !message) return
    this.liveBytes -= liveSize(message)
    map.delete(sequenceNumber)
  }
}

/** What a message takes in the log, about. */
function liveSize(message: StoredMessage): number {
  return payloadBytes(message) + STORE.messageRecordBytes
}
