// The one storage interface of the emulator. The broker keeps every live message in memory and
// tells the store what changed, as records; `append` resolves once the records are durable (for
// the durable store: written and fdatasync'ed). `open` returns what survived the last run.
import type {StoredMessage} from '../broker/message.js'
import type {QueueProperties} from '../broker/queue-properties.js'
import type {RuleProperties} from '../broker/rules/rule.js'
import type {SubscriptionProperties, TopicProperties} from '../broker/topic-properties.js'

/** The main queue or its dead-letter sub-queue. */
export type SubQueue = 'main' | 'deadLetter'

export type StoreRecord =
  | {type: 'queue-put'; properties: QueueProperties}
  | {type: 'queue-delete'; name: string}
  /** Insert a message, or replace it whole (same queue, sub-queue and sequence number). */
  | {type: 'message-put'; queue: string; subQueue: SubQueue; message: StoredMessage}
  /** Change the small mutable fields of a stored message. */
  | {
      type: 'message-update'
      queue: string
      subQueue: SubQueue
      sequenceNumber: number
      deliveryCount: number
      state: StoredMessage['state']
    }
  | {type: 'message-delete'; queue: string; subQueue: SubQueue; sequenceNumber: number}
  /** Atomic move (dead-lettering): delete from `from`, put `message` into `to`. */
  | {type: 'message-move'; queue: string; from: SubQueue; to: SubQueue; message: StoredMessage}
  /** A session's state (base64), or null when cleared. */
  | {type: 'session-state'; queue: string; sessionId: string; state: string | null}
  /** The next sequence number of a queue (written by compaction so numbers never go back). */
  | {type: 'sequence'; queue: string; next: number}
  /**
   * Duplicate-detection history, [message id, until] (written by compaction: the message-put
   * records that carried these ids may be gone, but the ids must still count as seen).
   */
  | {type: 'message-ids'; queue: string; ids: Array<[string, number]>}
  /**
   * Topics, subscriptions and rules (issue 19). Message records name a topic (its scheduled
   * messages) or a subscription (`topic/Subscriptions/sub`) in `queue`, as they name a queue.
   */
  | {type: 'topic-put'; properties: TopicProperties}
  | {type: 'topic-delete'; name: string}
  | {type: 'subscription-put'; properties: SubscriptionProperties}
  | {type: 'subscription-delete'; topic: string; subscription: string}
  | {type: 'rule-put'; topic: string; subscription: string; rule: RuleProperties}
  | {type: 'rule-delete'; topic: string; subscription: string; name: string}
  /** Records durable together or not at all (a topic send's copies): one frame in the log. */
  | {type: 'batch'; records: StoreRecord[]}

export interface StoredQueue {
  properties: QueueProperties
  nextSequenceNumber: number
  /** In sequence-number order. */
  main: StoredMessage[]
  deadLetter: StoredMessage[]
  /** Session id -> session state (base64). */
  sessionStates: Record<string, string>
  /** Duplicate-detection history still in its window, [message id, until], oldest first. */
  recentMessageIds?: Array<[string, number]>
}

/** A topic: its scheduled messages (nobody receives from a topic) and its sequence counter. */
export interface StoredTopic extends Omit<StoredQueue, 'properties'> {
  properties: TopicProperties
}

export interface StoredSubscription extends Omit<StoredQueue, 'properties' | 'recentMessageIds'> {
  properties: SubscriptionProperties
  rules: RuleProperties[]
}

export interface StoreSnapshot {
  queues: StoredQueue[]
  /** Absent from stores written before topics existed. */
  topics?: StoredTopic[]
  subscriptions?: StoredSubscription[]
}

export interface StoreStats {
  durable: boolean
  /** Bytes in the log file (0 in memory). */
  logBytes: number
  /** Records appended since start. */
  records: number
  /** Group commits (fdatasync calls) since start. */
  commits: number
  compactions: number
  /** Damaged records skipped when the log was opened (their bytes are in a quarantine file). */
  damagedRecords?: number
  /** Appends refused because the disk was full. */
  refusedWrites?: number
  /** The last write hit a full disk (writes are retried as they come). */
  diskFull?: boolean
  /** Durable store: bytes of message bodies held in memory as hot bodies (the others are read from the log). */
  hotBodyBytes?: number
}

export interface MessageStore {
  readonly durable: boolean
  open(): Promise<StoreSnapshot>
  /** Resolves when every record is durable. Records of one call are committed together. */
  append(records: StoreRecord[]): Promise<void>
  stats(): StoreStats
  close(): Promise<void>
}

/** Queue names are case-insensitive, as in Azure. */
export function queueKey(name: string): string {
  return name.toLowerCase()
}
