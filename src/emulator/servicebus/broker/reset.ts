// Reset (the test fixture's `reset()`, `qjob emulator reset`): empties queues and keeps them.
// Every message goes (active, scheduled, deferred, dead-lettered, locked), with the locks, the
// TTL and activation timers, the duplicate-detection history and the sessions' state. Properties,
// policies, consumers (receiver links) and session locks held by receivers stay, so connected
// clients keep working; a lock token handed out before the reset is lost (MessageLockLost).
// Sequence numbers keep counting up, as in Azure (and stale index entries never name a new message).
//
// Durable: one `queue-delete` + `queue-put` + `sequence` per queue, appended in the same tick as
// the in-memory clear (see resetQueues for sends racing the reset), so the log and memory agree
// and a restarted emulator stays empty; compaction later drops the deleted messages from the log.
import type {MessageStore, StoreRecord} from '../store/message-store.js'
import type {Entity} from './entity.js'
import type {StoredMessage} from './message.js'
import type {MessageLocks} from './message-locks.js'
import type {Queue} from './queue.js'
import {SubscriptionQueue, TopicQueue} from './topic.js'

export interface QueueResetSummary {
  /** The queue's name. */
  name: string
  /** What the queue held when it was emptied. */
  activeMessageCount: number
  scheduledMessageCount: number
  deferredMessageCount: number
  deadLetterMessageCount: number
}

export interface ResetDependencies {
  locks: MessageLocks<Entity>
  store: MessageStore
}

function emptyEntity(entity: Entity, locks: MessageLocks<Entity>): void {
  locks.dropEntity(entity)
  for (const sequenceNumber of [...entity.messages.keys()]) entity.remove(sequenceNumber)
  for (const session of [...(entity.sessions?.values() ?? [])]) {
    session.lock?.tokens.clear()
    session.state = undefined
    entity.forgetIfIdle(session)
  }
}

function count(summary: QueueResetSummary, message: StoredMessage, entity: Entity): void {
  if (entity.subQueue === 'deadLetter') summary.deadLetterMessageCount++
  else if (message.state === 'scheduled') summary.scheduledMessageCount++
  else if (message.state === 'deferred') summary.deferredMessageCount++
  else summary.activeMessageCount++
}

/** Records that empty a container in the store and put it back as it is (a topic's subscriptions are separate). */
function recreated(queue: Queue): StoreRecord[] {
  if (queue instanceof TopicQueue)
    return [
      {type: 'topic-delete', name: queue.name},
      {type: 'topic-put', properties: queue.topic},
    ]
  if (queue instanceof SubscriptionQueue) {
    const {topicName, subscriptionName} = queue.subscription
    return [
      {type: 'subscription-delete', topic: topicName, subscription: subscriptionName},
      {type: 'subscription-put', properties: queue.subscription},
      ...[...queue.rules.values()].map(
        rule => ({type: 'rule-put', topic: topicName, subscription: subscriptionName, rule: rule.properties}) as StoreRecord,
      ),
    ]
  }
  return [
    {type: 'queue-delete', name: queue.name},
    {type: 'queue-put', properties: queue.properties},
  ]
}

/**
 * Empties the queues. Memory is cleared and the reset's records appended in one synchronous step.
 * A send whose record was appended just before the reset's is committed with or before it, and its
 * message enters memory only once that commit resolves, which is before the reset's own
 * continuation runs (the store resolves appends in order): so afterwards every message numbered
 * below the queue's next sequence number at the reset is removed too, and its removal logged
 * (it may have been dead-lettered meanwhile). Later sends get higher numbers and stay.
 */
export async function resetQueues(queues: Queue[], deps: ResetDependencies): Promise<QueueResetSummary[]> {
  const summaries = new Map<Queue, QueueResetSummary>()
  const barriers = new Map<Queue, number>()
  const records: StoreRecord[] = []
  for (const queue of queues) {
    const {main, deadLetter} = queue
    summaries.set(queue, {
      name: queue.name,
      activeMessageCount: main.activeCount,
      scheduledMessageCount: main.scheduledCount,
      deferredMessageCount: main.deferredCount,
      deadLetterMessageCount: deadLetter.messages.size,
    })
    barriers.set(queue, queue.nextSequenceNumber)
    queue.expiry.clear()
    queue.activation.clear()
    queue.recentMessageIds.clear()
    emptyEntity(main, deps.locks)
    emptyEntity(deadLetter, deps.locks)
    records.push(...recreated(queue), {type: 'sequence', queue: queue.name, next: queue.nextSequenceNumber})
  }
  await deps.store.append(records)
  const late: StoreRecord[] = []
  for (const queue of queues) {
    const barrier = barriers.get(queue)!
    for (const entity of [queue.main, queue.deadLetter]) {
      for (const message of [...entity.messages.values()]) {
        if (message.sequenceNumber >= barrier) continue
        // Its lock, if it was delivered meanwhile, is left to lapse: settling it finds no message.
        entity.remove(message.sequenceNumber)
        queue.recentMessageIds.delete(message.messageId)
        count(summaries.get(queue)!, message, entity)
        late.push({type: 'message-delete', queue: queue.name, subQueue: entity.subQueue, sequenceNumber: message.sequenceNumber})
      }
    }
  }
  if (late.length > 0) await deps.store.append(late)
  return [...summaries.values()]
}
