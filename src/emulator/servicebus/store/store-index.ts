// The durable store's own picture of what is live: records replayed from the log, then every
// appended record, applied in log order. Compaction writes this picture out as a new log.
import type {StoredMessage} from '../broker/message.js'
import type {QueueProperties} from '../broker/queue-properties.js'
import {queueKey, type StoredQueue, type StoreRecord, type StoreSnapshot, type SubQueue} from './message-store.js'

interface IndexedQueue {
  properties: QueueProperties
  nextSequenceNumber: number
  main: Map<number, StoredMessage>
  deadLetter: Map<number, StoredMessage>
  sessionStates: Map<string, string>
  /** Duplicate-detection history: message id -> until (kept after the message itself is gone). */
  recentMessageIds: Map<string, number>
}

export class StoreIndex {
  private readonly queues = new Map<string, IndexedQueue>()
  /** Payload bytes of live messages: compaction compares it with the log size. */
  liveBytes = 0

  apply(record: StoreRecord): void {
    switch (record.type) {
      case 'queue-put': {
        const existing = this.queues.get(queueKey(record.properties.name))
        if (existing) existing.properties = record.properties
        else this.queues.set(queueKey(record.properties.name), {properties: record.properties, nextSequenceNumber: 1, main: new Map(), deadLetter: new Map(), sessionStates: new Map(), recentMessageIds: new Map()})
        break
      }
      case 'queue-delete': {
        const queue = this.queues.get(queueKey(record.name))
        if (!queue) break
        for (const map of [queue.main, queue.deadLetter]) for (const message of map.values()) this.liveBytes -= message.payload.length
        for (const state of queue.sessionStates.values()) this.liveBytes -= state.length
        this.queues.delete(queueKey(record.name))
        break
      }
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

  /** Remembers a sent message's id for duplicate detection, when its queue detects duplicates. */
  private rememberMessageId(queueName: string, message: StoredMessage): void {
    const queue = this.queues.get(queueKey(queueName))
    if (!queue?.properties.requiresDuplicateDetection) return
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
    for (const queue of this.queues.values()) {
      const bySequence = (a: StoredMessage, b: StoredMessage) => a.sequenceNumber - b.sequenceNumber
      queues.push({
        properties: queue.properties,
        nextSequenceNumber: queue.nextSequenceNumber,
        main: [...queue.main.values()].sort(bySequence),
        deadLetter: [...queue.deadLetter.values()].sort(bySequence),
        sessionStates: Object.fromEntries(queue.sessionStates),
        recentMessageIds: this.liveMessageIds(queue),
      })
    }
    return {queues}
  }

  /** The records that rebuild this index from nothing (compaction). */
  *records(): Generator<StoreRecord> {
    for (const queue of this.queues.values()) {
      yield {type: 'queue-put', properties: queue.properties}
      yield {type: 'sequence', queue: queue.properties.name, next: queue.nextSequenceNumber}
      for (const subQueue of ['main', 'deadLetter'] as const) {
        for (const message of queue[subQueue].values()) yield {type: 'message-put', queue: queue.properties.name, subQueue, message}
      }
      for (const [sessionId, state] of queue.sessionStates) yield {type: 'session-state', queue: queue.properties.name, sessionId, state}
      const ids = this.liveMessageIds(queue)
      if (ids.length > 0) yield {type: 'message-ids', queue: queue.properties.name, ids}
    }
  }

  private sub(queue: string, subQueue: SubQueue): Map<number, StoredMessage> | undefined {
    return this.queues.get(queueKey(queue))?.[subQueue]
  }

  private put(queueName: string, subQueue: SubQueue, message: StoredMessage): void {
    const queue = this.queues.get(queueKey(queueName))
    if (!queue) return
    const map = queue[subQueue]
    const previous = map.get(message.sequenceNumber)
    if (previous) this.liveBytes -= previous.payload.length
    // The broker's own object, shared (no copy per message): every change the broker makes to it
    // is also logged, and replaying a change twice (compaction racing an append) is harmless.
    map.set(message.sequenceNumber, message)
    this.liveBytes += message.payload.length
    if (message.sequenceNumber >= queue.nextSequenceNumber) queue.nextSequenceNumber = message.sequenceNumber + 1
  }

  private remove(queueName: string, subQueue: SubQueue, sequenceNumber: number): void {
    const map = this.sub(queueName, subQueue)
    const message = map?.get(sequenceNumber)
    if (!map || !message) return
    this.liveBytes -= message.payload.length
    map.delete(sequenceNumber)
  }
}
