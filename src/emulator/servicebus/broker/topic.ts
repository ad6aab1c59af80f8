// Topics and subscriptions in the broker. A subscription is a queue in all but name (peek-lock,
// settlement, sessions, deferral, TTL, dead-lettering all run on its SubscriptionQueue), fed by
// its topic instead of by senders. A topic keeps a holding queue of its own: its sequence
// counter (every subscription's copy carries the topic's sequence number), duplicate detection,
// size limits and its scheduled messages; nobody receives from it.
import {TIMESPAN_MAX_MS} from '../constants.js'
import type {StoreRecord} from '../store/message-store.js'
import {copyMessage} from '../store/queued-message.js'
import type {PropertyEditor, StoredMessage} from './message.js'
import {Queue} from './queue.js'
import {compileRule, copiesFor, type CompiledRule, type RuleProperties} from './rules/rule.js'
import {FilterEvaluationError, type FilterMessage, type SqlValue} from './rules/sql-eval.js'
import {
  holdingQueueProperties,
  subscriptionPath,
  subscriptionQueueProperties,
  type SubscriptionProperties,
  type TopicProperties,
} from './topic-properties.js'

type TimerHandlers = ConstructorParameters<typeof Queue>[2]

/** Reads a stored message for rules, and rewrites its application properties (rule actions). */
export interface MessageInspector {
  filterView(message: StoredMessage): FilterMessage
  replaceApplicationProperties(payload: Buffer, properties: Record<string, SqlValue>): Buffer
}

export class TopicQueue extends Queue {
  readonly subscriptions = new Map<string, SubscriptionQueue>()

  constructor(
    public topic: TopicProperties,
    nextSequenceNumber: number,
    handlers: TimerHandlers,
  ) {
    super(holdingQueueProperties(topic), nextSequenceNumber, handlers)
  }

  setTopic(topic: TopicProperties): void {
    this.topic = topic
    this.properties = holdingQueueProperties(topic)
    for (const subscription of this.subscriptions.values()) subscription.setTopic(topic)
  }

  /** A topic's size is what its subscriptions hold, plus its scheduled messages. */
  override get sizeBytes(): number {
    let bytes = this.main.sizeBytes
    for (const subscription of this.subscriptions.values()) bytes += subscription.sizeBytes
    return bytes
  }
}

export class SubscriptionQueue extends Queue {
  /** By lower-cased name, in creation order. */
  readonly rules = new Map<string, CompiledRule>()

  constructor(
    public subscription: SubscriptionProperties,
    private topic: TopicProperties,
    nextSequenceNumber: number,
    handlers: TimerHandlers,
  ) {
    super(subscriptionQueueProperties(subscription, topic), nextSequenceNumber, handlers)
  }

  get path(): string {
    return subscriptionPath(this.subscription.topicName, this.subscription.subscriptionName)
  }

  setSubscription(subscription: SubscriptionProperties): void {
    this.subscription = subscription
    this.properties = subscriptionQueueProperties(subscription, this.topic)
  }

  setTopic(topic: TopicProperties): void {
    this.topic = topic
    this.properties = subscriptionQueueProperties(this.subscription, topic)
  }

  putRule(rule: RuleProperties): void {
    this.rules.set(rule.name.toLowerCase(), compileRule(rule))
  }

  /** True when every rule is a plain TRUE filter without action: no need to read the message. */
  get acceptsAll(): boolean {
    for (const rule of this.rules.values()) {
      if (rule.properties.filter.kind === 'true' && !rule.act) return true
    }
    return false
  }
}

export const FILTER_DEAD_LETTER_REASON = 'FilterEvaluationException'

export interface FanOut {
  /** The copies' store records (message-put into each subscription). */
  records: StoreRecord[]
  /** What to admit once the records are durable. */
  copies: Array<{subscription: SubscriptionQueue; message: StoredMessage; deadLetter: boolean}>
}

/**
 * The copies of active messages for each subscription whose rules match. A copy keeps the topic's
 * sequence number (a further copy for a second rule with an action gets a new one); its TTL is
 * the shorter of the message's and the subscription's default.
 */
export function fanOut(topic: TopicQueue, messages: StoredMessage[], inspector: MessageInspector, editor: PropertyEditor): FanOut {
  const result: FanOut = {records: [], copies: []}
  for (const message of messages) {
    let view: FilterMessage | undefined
    for (const subscription of topic.subscriptions.values()) {
      if (subscription.subscription.status === 'Disabled') continue
      if (subscription.subscription.requiresSession && message.sessionId === undefined) continue
      let variants: Array<Record<string, SqlValue> | undefined>
      let failure: string | undefined
      if (subscription.acceptsAll) variants = [undefined]
      else {
        try {
          view ??= inspector.filterView(message)
          variants = copiesFor(subscription.rules.values(), view)
        } catch (error) {
          if (!(error instanceof FilterEvaluationError)) throw error
          failure = error.message
          variants = subscription.subscription.deadLetteringOnFilterEvaluationExceptions ? [undefined] : []
        }
      }
      variants.forEach((properties, index) => {
        const copy = copyMessage(message, {sequenceNumber: index === 0 ? message.sequenceNumber : topic.nextSequenceNumber++})
        if (properties) copy.payload = inspector.replaceApplicationProperties(message.payload, properties)
        const ttl = subscription.subscription.defaultMessageTimeToLiveMs
        if (ttl < TIMESPAN_MAX_MS && (copy.expiresAtUtc === undefined || copy.enqueuedTimeUtc + ttl < copy.expiresAtUtc))
          copy.expiresAtUtc = copy.enqueuedTimeUtc + ttl
        const deadLetter = failure !== undefined
        if (deadLetter) {
          copy.deadLetterSource = subscription.path
          copy.payload = editor.setApplicationProperties(copy.payload, {
            DeadLetterReason: FILTER_DEAD_LETTER_REASON,
            DeadLetterErrorDescription: failure!,
          })
        }
        result.records.push({type: 'message-put', queue: subscription.name, subQueue: deadLetter ? 'deadLetter' : 'main', message: copy})
        result.copies.push({subscription, message: copy, deadLetter})
      })
    }
  }
  return result
}
