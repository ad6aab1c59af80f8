// A client's sender link to a queue: each transfer (a single message or the SDK's batch envelope)
// becomes one broker.send; the transfer is accepted once the messages are durable, or rejected
// with the condition the SDK maps to the matching error.
import type {EventContext, Receiver} from 'rhea'

import type {Broker} from '../broker/broker.js'
import {BrokerError} from '../broker/broker-error.js'
import type {EmulatorLogger} from '../logger.js'
import {AMQP} from '../constants.js'
import type {ConnectionState} from './connection-state.js'
import {amqpErrorOf, unauthorized} from './error-conditions.js'
import {parseIncoming, unpackBatch} from './message-codec.js'
import {MalformedMessageError} from './message-sections.js'
import {rawPayloadOf, transferFormat} from './rhea-internals.js'
import {amqpMessage, outcomes} from './rhea-types.js'

export interface SendLinkDependencies {
  broker: Broker
  logger: EmulatorLogger
}

export class SendLink {
  constructor(
    readonly link: Receiver,
    readonly path: string,
    private readonly state: ConnectionState,
    private readonly deps: SendLinkDependencies,
  ) {}

  onMessage(context: EventContext): void {
    const delivery = context.delivery!
    const reject = (error: unknown) => {
      if (!(error instanceof BrokerError)) this.deps.logger.warn(`send to '${this.path}': ${(error as Error).message}`)
      delivery.update(true, outcomes.rejected(amqpErrorOf(error)))
    }
    const decision = this.state.tokens.authorize(this.path, ['Send'], this.deps.broker.now())
    if (!decision.allowed) {
      delivery.update(true, outcomes.rejected(unauthorized(decision.reason)))
      return
    }
    let payloads: Buffer[]
    try {
      payloads = this.payloadsOf(context)
    } catch (error) {
      reject(error)
      return
    }
    let incoming
    try {
      incoming = payloads.map(payload => parseIncoming(payload))
    } catch (error) {
      reject(error)
      return
    }
    this.deps.broker.send(this.path, incoming).then(() => delivery.update(true, outcomes.accepted()), reject)
  }

  /** The encoded messages: views into the transfer's bytes, not copies (the broker copies what it keeps, enqueue.ts). */
  private payloadsOf(context: EventContext): Buffer[] {
    const format = transferFormat(context)
    if (format === AMQP.batchMessageFormat) {
      const envelope = context.message as unknown
      if (!Buffer.isBuffer(envelope)) throw new MalformedMessageError('the batch envelope is not binary')
      return unpackBatch(envelope)
    }
    if (format !== 0) throw new MalformedMessageError(`unsupported message format ${format}`)
    const message = context.message!
    return [rawPayloadOf(message) ?? amqpMessage.encode(message)]
  }
}
