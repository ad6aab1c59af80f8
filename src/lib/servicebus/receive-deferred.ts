// `qjob receive --sequence N...`: deferred messages, taken by sequence number (the only way Azure
// hands them out again), each written before it is settled, like any receive. All or nothing, as
// the service does it: a number that names no deferred message fails the whole request.
import type {ServiceBusReceivedMessage, ServiceBusReceiver} from '@azure/service-bus'

import {settleMessage, type ReceiveResult, type Settlement} from './receive.js'

export interface ReceiveDeferredOptions {
  /** As printed by qjob peek (whole numbers, as strings: they can exceed 2^53). */
  sequenceNumbers: string[]
  /** Undefined in receive-and-delete mode. */
  settle?: Settlement
  deadLetterReason?: string
  deadLetterDescription?: string
  write: (messages: ServiceBusReceivedMessage[]) => Promise<void>
  /** Write every message at once (one JSON document) before settling any. */
  all?: boolean
}

export async function receiveDeferredAndSettle(receiver: ServiceBusReceiver, options: ReceiveDeferredOptions): Promise<ReceiveResult> {
  const {default: Long} = await import('long')
  const messages = await receiver.receiveDeferredMessages(options.sequenceNumbers.map(text => Long.fromString(text)))
  const result: ReceiveResult = {received: messages.length, settled: 0}
  const reason = {deadLetterReason: options.deadLetterReason, deadLetterErrorDescription: options.deadLetterDescription}
  const settle = async (message: ServiceBusReceivedMessage) => {
    if (!options.settle) return
    await settleMessage(receiver, message, options.settle, reason)
    result.settled++
  }
  if (options.all) {
    if (messages.length > 0) await options.write(messages)
    for (const message of messages) await settle(message)
    return result
  }
  for (const message of messages) {
    await options.write([message])
    await settle(message)
  }
  return result
}
