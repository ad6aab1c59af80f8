// Auto-forwarding (ForwardTo, ForwardDeadLetteredMessagesTo), as Azure chains entities: a
// message that arrives in a queue or subscription with ForwardTo goes on to the named queue or
// topic (a topic fans it out again), at most MAX_HOPS times; a message dead-lettered in an
// entity with ForwardDeadLetteredMessagesTo goes to that entity instead of the dead-letter
// queue. The destination numbers the message anew. The records come back to the caller, so a
// forwarded send is still one batch: durable all together or not at all.
import {queueKey, type StoreRecord} from '../store/message-store.js'
import {BrokerError} from './broker-error.js'
import {admit} from './enqueue.js'
import type {Entity} from './entity.js'
import type {PropertyEditor, StoredMessage} from './message.js'
import type {Queue} from './queue.js'
import {fanOut, SubscriptionQueue, TopicQueue, type MessageInspector} from './topic.js'
import {copyMessage} from '../store/queued-message.js'

/** Azure forwards through at most four entities. */
export const MAX_HOPS = 4

/** The admin client sends `sb://host/name` (and Azure answers it so); config files and ARM, the bare name. */
export function entityName(forwardTo: string): string {
  const scheme = forwardTo.indexOf('://')
  if (scheme < 0) return forwardTo
  const slash = forwardTo.indexOf('/', scheme + 3)
  return slash < 0 ? '' : forwardTo.slice(slash + 1).replace(/\/+$/, '')
}

/**
 * Azure refuses a ForwardTo or ForwardDeadLetteredMessagesTo naming no queue or topic when the
 * entity is created or updated: 400, "SubCode=40400. The auto forwarding destination entity does
 * not exist." (azure-service-bus#203; since 2023 the message names the entity). '' removes a forward.
 */
export function checkForwardTargets(
  entities: Map<string, Queue>,
  settings: {forwardTo?: string; forwardDeadLetteredMessagesTo?: string},
): void {
  for (const name of [settings.forwardTo, settings.forwardDeadLetteredMessagesTo]) {
    if (name === undefined || name.trim() === '') continue
    const target = entities.get(queueKey(entityName(name)))
    if (!target || target instanceof SubscriptionQueue)
      throw new BrokerError('BadRequest', `SubCode=40400. The auto forwarding destination entity does not exist: '${entityName(name)}'.`)
  }
}

export interface ForwardingDependencies {
  entities: Map<string, Queue>
  inspector: MessageInspector
  editor: PropertyEditor
  pump: (entity: Entity) => void
}

/** Where messages go in memory once their records are durable. */
export interface Placement {
  queue: Queue
  message: StoredMessage
  deadLetter: boolean
}

export interface Routed {
  records: StoreRecord[]
  placements: Placement[]
}

export class Forwarding {
  constructor(private readonly deps: ForwardingDependencies) {}

  /** The entity a queue or subscription forwards to, if any (unknown names: none). */
  target(queue: Queue, deadLetter = false): Queue | undefined {
    const name = deadLetter ? queue.properties.forwardDeadLetteredMessagesTo : queue.properties.forwardTo
    if (!name) return undefined
    const target = this.deps.entities.get(queueKey(entityName(name)))
    return target && !(target instanceof SubscriptionQueue) && target !== queue ? target : undefined
  }

  /** A message arriving in `queue` (main): placed there, or forwarded on. */
  arrive(queue: Queue, message: StoredMessage, hops = 0): Routed {
    const next = hops < MAX_HOPS ? this.target(queue) : undefined
    if (next) return this.into(next, message, hops + 1)
    return {
      records: [{type: 'message-put', queue: queue.name, subQueue: 'main', message}],
      placements: [{queue, message, deadLetter: false}],
    }
  }

  /** A copy a topic made for a subscription (main or, on a filter exception, dead-letter). */
  copy(placement: Placement, hops = 0): Routed {
    const {queue, message, deadLetter} = placement
    const next = deadLetter ? this.target(queue, true) : this.target(queue)
    if (next && hops < MAX_HOPS) return this.into(next, message, hops + 1)
    return {
      records: [{type: 'message-put', queue: queue.name, subQueue: deadLetter ? 'deadLetter' : 'main', message}],
      placements: [placement],
    }
  }

  /**
   * A message moved to `queue`'s dead-letter sub-queue (a message-move record): when the queue
   * forwards dead letters, it leaves the dead-letter queue for the destination instead. Memory
   * changes at once (as dead-lettering does); the records replace the move, in one batch.
   */
  deadLettered(queue: Queue, record: StoreRecord): StoreRecord[] {
    const next = this.target(queue, true)
    if (!next || record.type !== 'message-move') return [record]
    queue.deadLetter.remove(record.message.sequenceNumber)
    const routed = this.into(next, record.message, 1)
    this.place(routed.placements)
    return [
      {
        type: 'batch',
        records: [
          ...routed.records,
          {type: 'message-delete', queue: queue.name, subQueue: 'main', sequenceNumber: record.message.sequenceNumber},
        ],
      },
    ]
  }

  /** Into a destination entity: a queue takes it with a new number, a topic fans it out. */
  private into(target: Queue, message: StoredMessage, hops: number): Routed {
    const renumbered = copyMessage(message, {
      sequenceNumber: target.nextSequenceNumber++,
      state: 'active',
      deliveryCount: 0,
      deadLetterSource: undefined,
    })
    if (!(target instanceof TopicQueue)) return this.arrive(target, renumbered, hops)
    const copies = fanOut(target, [renumbered], this.deps.inspector, this.deps.editor)
    const routed: Routed = {records: [{type: 'sequence', queue: target.name, next: target.nextSequenceNumber}], placements: []}
    for (const copy of copies.copies) {
      const inner = this.copy({queue: copy.subscription, message: copy.message, deadLetter: copy.deadLetter}, hops)
      routed.records.push(...inner.records)
      routed.placements.push(...inner.placements)
    }
    return routed
  }

  /** Puts durable messages in memory (skipping entities deleted meanwhile) and pumps them. */
  place(placements: Placement[]): void {
    const touched = new Set<Entity>()
    for (const {queue, message, deadLetter} of placements) {
      if (this.deps.entities.get(queueKey(queue.name)) !== queue) continue
      if (deadLetter) queue.deadLetter.insert(message)
      else admit(queue, message)
      // A send (or forward) into a queue is its activity; a topic's copy arriving is not the subscription's.
      if (!(queue instanceof SubscriptionQueue)) queue.accessedAt = message.enqueuedTimeUtc
      touched.add(deadLetter ? queue.deadLetter : queue.main)
    }
    for (const entity of touched) this.deps.pump(entity)
  }
}
