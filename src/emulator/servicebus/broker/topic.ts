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
import {FilterEvaluationError, type ActionResult, type FilterMessage, type SqlValue} from './rules/sql-eval.js'
import {
  holdingQueueProperties,
  subscriptionPath,
  subscriptionQueueProperties,
  type SubscriptionProperties,
  type TopicProperties,
} from './topic-properties.js'

type TimerHandlers = ConstructorParameters<typeof Queue>[2]

/** Reads a stored message for rules, and rewrites its application and system properties (rule actions). */
export interface MessageInspector {
  filterView(message: StoredMessage): FilterMessage
  replaceApplicationProperties(payload: Buffer, properties: Record<string, SqlValue>): Buffer
  /** Lower-cased system property names (sql-eval.ts SETTABLE_SYSTEM_PROPERTIES); null clears. */
  replaceSystemProperties(payload: Buffer, changes: ReadonlyMap<string, string | null>): Buffer
}

/** A rule action's changes, applied to a subscription's copy: its payload, and the ids the broker keeps. */
function applyActionResult(copy: StoredMessage, result: ActionResult, inspector: MessageInspector): void {
  copy.payload = inspector.replaceApplicationProperties(copy.payload, result.user)
  if (result.system.size === 0) return
  copy.payload = inspector.replaceSystemProperties(copy.payload, result.system)
  const messageId = result.system.get('messageid')
  if (messageId) copy.messageId = messageId
  if (result.system.has('sessionid')) {
    const sessionId = result.system.get('sessionid')
    if (sessionId === null || sessionId === undefined) delete copy.sessionId
    else copy.sessionId = sessionId
  }
  if (result.system.has('partitionkey')) {
    const partitionKey = result.system.get('partitionkey')
    if (partitionKey === null || partitionKey === undefined) delete copy.partitionKey
    else copy.partitionKey = partitionKey
  }
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

/**
 * A copy without a session id for a subscription that requires sessions is dead-lettered, as
 * Azure does (its reason and description, reported in azure-service-bus#196 and
 * azure-sdk-for-js#1118); the check runs after rule actions, which may set sys.SessionId.
 */
export const SESSION_ID_NULL_REASON = 'Session id is null.'
export const SESSION_ID_NULL_DESCRIPTION = "Session enabled entity doesn't allow a message whose session identifier is null."

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
      let variants: Array<ActionResult | undefined>
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
      variants.forEach((action, index) => {
        const copy = copyMessage(message, {sequenceNumber: index === 0 ? message.sequenceNumber : topic.nextSequenceNumber++})
        if (action) applyActionResult(copy, action, inspector)
        const ttl = subscription.subscription.defaultMessageTimeToLiveMs
        if (ttl < TIMESPAN_MAX_MS && (copy.expiresAtUtc === undefined || copy.enqueuedTimeUtc + ttl < copy.expiresAtUtc))
          copy.expiresAtUtc = copy.enqueuedTimeUtc + ttl
        let reason: [string, string] | undefined = failure === undefined ? undefined : [FILTER_DEAD_LETTER_REASON, failure]
        if (!reason && subscription.subscription.requiresSession && copy.sessionId === undefined)
          reason = [SESSION_ID_NULL_REASON, SESSION_ID_NULL_DESCRIPTION]
        const deadLetter = reason !== undefined
        if (reason) {
          copy.deadLetterSource = subscription.path
          copy.payload = editor.setApplicationProperties(copy.payload, {DeadLetterReason: reason[0], DeadLetterErrorDescription: reason[1]})
        }
        result.records.push({type: 'message-put', queue: subscription.name, subQueue: deadLetter ? 'deadLetter' : 'main', message: copy})
        result.copies.push({subscription, message: copy, deadLetter})
      })
    }
  }
  return result
}
