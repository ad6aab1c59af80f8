// Reset (the test fixture's `reset()`, `qjob emulator reset`): empties queues and keeps them.
// Every message goes (active, scheduled, deferred, dead-lettered, locked), with the locks, the
// TTL and activation timers, the duplicate-detection history and the sessions' state. Properties,
// policies, consumers (receiver links) and session locks held by receivers stay, so connected
// clients keep working; a lock token handed out before the reset is lost (MessageLockLost).
// Sequence numbers keep counting up, as in Azure (and stale index entries never name a new message).
//
// Durable: one `queue-delete` + `queue-put` + `sequence` per queue, appended in the same tick as
// the in-memory clear, so the log and memory agree in every interleaving; compaction later drops
// the deleted messages from the log.
import type {MessageStore, StoreRecord} from '../store/message-store.js'
import type {Entity} from './entity.js'
import type {MessageLocks} from './message-locks.js'
import type {Queue} from './queue.js'

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

/** How long a reset waits for sends whose commit is under way (they are then emptied too). */
const SEND_DRAIN_TIMEOUT_MS = 5000

function emptyEntity(entity: Entity, locks: MessageLocks<Entity>): void {
  locks.dropEntity(entity)
  for (const sequenceNumber of [...entity.messages.keys()]) entity.remove(sequenceNumber)
  for (const session of [...(entity.sessions?.values() ?? [])]) {
    session.lock?.tokens.clear()
    session.state = undefined
    entity.forgetIfIdle(session)
  }
}

/**
 * Empties the queues. Sends already being committed are waited for first: a message whose
 * store record precedes the reset's must not reappear in memory after it.
 */
export async function resetQueues(queues: Queue[], deps: ResetDependencies): Promise<QueueResetSummary[]> {
  const deadline = Date.now() + SEND_DRAIN_TIMEOUT_MS
  while (queues.some(queue => queue.pendingBytes > 0) && Date.now() < deadline) await new Promise(resolve => setImmediate(resolve))
  // From here to the append below, one synchronous block: nothing can interleave.
  const summaries: QueueResetSummary[] = []
  const records: StoreRecord[] = []
  for (const queue of queues) {
    const {main, deadLetter} = queue
    summaries.push({
      name: queue.name,
      activeMessageCount: main.activeCount,
      scheduledMessageCount: main.scheduledCount,
      deferredMessageCount: main.deferredCount,
      deadLetterMessageCount: deadLetter.messages.size,
    })
    queue.expiry.clear()
    queue.activation.clear()
    queue.recentMessageIds.clear()
    emptyEntity(main, deps.locks)
    emptyEntity(deadLetter, deps.locks)
    records.push(
      {type: 'queue-delete', name: queue.name},
      {type: 'queue-put', properties: queue.properties},
      {type: 'sequence', queue: queue.name, next: queue.nextSequenceNumber},
    )
  }
  await deps.store.append(records)
  return summaries
}
