// Bulk sending: size-aware batches (as the SDK's message batch allows) with a bounded number of
// batches in flight. Reports what was sent even when the input fails half-way.
import type {ServiceBusSender} from '@azure/service-bus'

import {QjobError, UsageError} from '../../common/errors.js'
import type {OutgoingMessage} from './message-json.js'

export interface SendOptions {
  /** Batches in flight at once. 1 keeps the order of the input across batches. */
  concurrency?: number
  onProgress?: (sent: number) => void
  /** Keep the message ids for the result (off for huge sends that only need a count). */
  collectIds?: boolean
}

export interface SendResult {
  sent: number
  batches: number
  messageIds: string[]
}

function approximateSize(message: OutgoingMessage): number {
  const {body} = message
  if (body instanceof Uint8Array) return body.byteLength
  return Buffer.byteLength(JSON.stringify(body) ?? '')
}

function messageIdOf(message: OutgoingMessage): string | undefined {
  const id = 'properties' in message && message.properties ? message.properties.messageId : (message as {messageId?: unknown}).messageId
  return id === undefined ? undefined : String(id)
}

export async function sendAll(
  sender: ServiceBusSender,
  messages: Iterable<OutgoingMessage> | AsyncIterable<OutgoingMessage>,
  options: SendOptions = {},
): Promise<SendResult> {
  const concurrency = Math.max(1, options.concurrency ?? 4)
  const inFlight = new Set<Promise<void>>()
  const result: SendResult = {sent: 0, batches: 0, messageIds: []}
  let failure: unknown

  const dispatch = async (batch: Awaited<ReturnType<ServiceBusSender['createMessageBatch']>>, ids: string[]) => {
    const sending = sender.sendMessages(batch).then(
      () => {
        result.sent += batch.count
        result.batches++
        if (options.collectIds) result.messageIds.push(...ids)
        options.onProgress?.(result.sent)
      },
      (error: unknown) => {
        failure ??= error
      },
    )
    const tracked = sending.finally(() => inFlight.delete(tracked))
    inFlight.add(tracked)
    while (inFlight.size >= concurrency) await Promise.race(inFlight)
    if (failure) throw failure
  }

  let index = 0
  try {
    let batch = await sender.createMessageBatch()
    let ids: string[] = []
    for await (const message of messages) {
      index++
      if (!batch.tryAddMessage(message)) {
        if (batch.count > 0) {
          await dispatch(batch, ids)
          batch = await sender.createMessageBatch()
          ids = []
        }
        if (!batch.tryAddMessage(message)) {
          throw new UsageError(`message ${index} is too large: about ${approximateSize(message)} bytes, the queue accepts at most ${batch.maxSizeInBytes} bytes a batch`, {
            hint: 'Send a smaller body, or raise the queue\'s max message size.',
          })
        }
      }
      const id = messageIdOf(message)
      if (id !== undefined) ids.push(id)
    }
    if (batch.count > 0) await dispatch(batch, ids)
    await Promise.all(inFlight)
    if (failure) throw failure
    return result
  } catch (error) {
    await Promise.allSettled(inFlight)
    if (error instanceof QjobError && index > 1) {
      const ErrorClass = error.constructor as new (message: string, options: {hint?: string; cause?: unknown}) => QjobError
      throw new ErrorClass(`${error.message} (${result.sent} message${result.sent === 1 ? ' was' : 's were'} already sent)`, {hint: error.hint, cause: error})
    }
    throw error
  }
}
