// A client's receiver link on a queue or its dead-letter queue: a broker Consumer. Credit comes
// from the client's flow frames; deliveries are peek-locked (tag = lock token) or pre-settled
// (receive-and-delete); the client's dispositions become complete/abandon/defer/dead-letter.
import type {Delivery as AmqpDelivery, EventContext, Sender} from 'rhea'

import type {Broker, ConsumerHandle, SessionConsumerHandle} from '../broker/broker.js'
import {BrokerError} from '../broker/broker-error.js'
import type {Consumer, ReceiveMode} from '../broker/entity.js'
import type {Delivery} from '../broker/message.js'
import type {SessionGrant, SessionRequest} from '../broker/sessions.js'
import type {EmulatorLogger} from '../logger.js'
import type {LinkHandle} from './connection-state.js'
import {amqpErrorOf} from './error-conditions.js'
import {encodeDelivery, lockTokenToTag, plainProperties, tagToLockToken} from './message-codec.js'
import {attachUnsent, outgoingSlots} from './rhea-internals.js'
import {outcomes} from './rhea-types.js'

interface RemoteOutcome {
  error?: {condition?: string; description?: string; info?: unknown}
  undeliverable_here?: boolean
  message_annotations?: unknown
}

export class ReceiveLink implements Consumer, LinkHandle {
  private handle?: ConsumerHandle
  /** The client's credit limit in delivery-count terms, from its last flow. */
  private limit = 0
  private sent = 0
  private tagCounter = 0
  /** Set by the broker once this receiver holds a session's lock. */
  sessionId?: string
  private retryScheduled = false

  constructor(
    readonly link: Sender,
    readonly path: string,
    readonly mode: ReceiveMode,
    private readonly broker: Broker,
    private readonly logger: EmulatorLogger,
  ) {}

  attach(): void {
    this.handle = this.broker.addConsumer(this.path, this)
  }

  /** A session receiver: resolves once a session is locked for it. */
  attachSession(request: SessionRequest): Promise<SessionGrant> {
    const handle: SessionConsumerHandle = this.broker.addSessionConsumer(this.path, this, request)
    this.handle = handle
    return handle.granted
  }

  credit(): number {
    if (!this.link.is_open()) return 0
    if (attachUnsent(this.link)) {
      // No deliveries before our attach is on the wire; ask again once rhea has written it.
      if (!this.retryScheduled) {
        this.retryScheduled = true
        setImmediate(() => {
          this.retryScheduled = false
          this.handle?.creditAdded()
        })
      }
      return 0
    }
    return Math.min(this.limit - this.sent, outgoingSlots(this.link))
  }

  deliver(delivery: Delivery): void {
    const tag = delivery.lockToken ? lockTokenToTag(delivery.lockToken) : Buffer.from(String(this.tagCounter++))
    this.sent++
    this.link.send(encodeDelivery(delivery), tag, 0)
  }

  close(error: Error): void {
    this.handle = undefined
    this.link.close(amqpErrorOf(error))
  }

  detached(): void {
    this.handle?.remove()
    this.handle = undefined
  }

  onFlow(): void {
    // rhea keeps the flow's (delivery-count + link-credit) as credit + its own delivery_count.
    const counters = this.link as unknown as {credit: number; delivery_count: number}
    this.limit = counters.credit + counters.delivery_count
    this.handle?.creditAdded()
  }

  /** drain=true: everything available has been sent by onFlow; give back the rest of the credit. */
  onDraining(): void {
    this.link.set_drained(true)
    this.sent = Math.max(this.sent, this.limit)
  }

  onSettlement(kind: 'accepted' | 'rejected' | 'released', context: EventContext): void {
    const delivery = context.delivery as AmqpDelivery
    if (this.mode === 'receiveAndDelete' || delivery.settled) return
    const token = tagToLockToken(delivery.tag as Buffer)
    const state = (delivery.remote_state ?? {}) as RemoteOutcome
    let operation: Promise<void>
    let reply = outcomes.accepted()
    if (!token) {
      operation = Promise.reject(new BrokerError('MessageLockLost', 'The delivery tag is not a lock token.'))
    } else if (kind === 'accepted') {
      operation = this.broker.complete(token)
    } else if (kind === 'rejected') {
      const info = plainProperties(state.error?.info)
      const {DeadLetterReason: reason, DeadLetterErrorDescription: description, ...properties} = info
      operation = this.broker.deadLetter(token, {
        reason: reason === undefined || reason === null ? undefined : String(reason),
        description: description === undefined || description === null ? undefined : String(description),
        properties,
      })
      reply = outcomes.rejected()
    } else {
      const properties = plainProperties(state.message_annotations)
      const defer = state.undeliverable_here === true
      operation = defer ? this.broker.defer(token, properties) : this.broker.abandon(token, properties)
      reply = outcomes.modified({delivery_failed: !defer, undeliverable_here: defer})
    }
    // The client settles (rcv-settle-mode second) on our settled reply without another frame:
    // mark it settled on both sides once the reply is queued, so rhea stops tracking it.
    const settleBoth = (outcome: unknown) => {
      delivery.update(true, outcome)
      // rhea's typings mark remote_settled read-only; its session code sets it the same way.
      ;(delivery as {remote_settled: boolean}).remote_settled = true
    }
    operation.then(
      () => settleBoth(reply),
      error => {
        if (!(error instanceof BrokerError)) this.logger.error(`settle on '${this.path}': ${(error as Error).message}`)
        settleBoth(outcomes.rejected(amqpErrorOf(error)))
      },
    )
  }
}
