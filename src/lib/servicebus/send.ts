// Bulk sending: size-aware batches (as the SDK's message batch allows) with a bounded number of
// batches in flight. Reports what was sent even when the input fails half-way.
import type {ServiceBusSender} from '@azure/service-bus'

import {QjobError, UsageError} from '../../common/errors.js'
import {toQjobError} from './errors.js'
import type {OutgoingMessage} from './message-json.js'

export interface SendOptions {
  /** Batches in flight at once. 1 keeps the order of the input across batches. */
  concurrency?: number
  onProgress?: (sent: number) => void
  /** Keep the message ids for the result (off for huge sends that only need a count). */
  collectIds?: boolean
  /**
   * Send a partly filled batch once its first message has waited this long for more input (a slow
   * stream, `tail -f` style). Undefined: batches fill up (or the input ends) first.
   */
  lingerMs?: number
  /** Stop reading (SIGINT/SIGTERM): the open batch is still sent, then sendAll returns. */
  signal?: AbortSignal
  /** The input line of a message (NDJSON), for `lastLine`. */
  lineOf?: (message: OutgoingMessage) => number | undefined
}

export interface SendResult {
  sent: number
  batches: number
  messageIds: string[]
  /** The highest input line among the messages sent (NDJSON input). */
  lastLine?: number
  /** True when the signal stopped the input early. */
  stopped?: boolean
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

const LINGER = Symbol('linger')
const STOPPED = Symbol('stopped')

function iteratorOf<T>(items: Iterable<T> | AsyncIterable<T>): AsyncIterator<T> | Iterator<T> {
  return Symbol.asyncIterator in items ? (items as AsyncIterable<T>)[Symbol.asyncIterator]() : (items as Iterable<T>)[Symbol.iterator]()
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

  type Batch = Awaited<ReturnType<ServiceBusSender['createMessageBatch']>>
  const dispatch = async (batch: Batch, ids: string[], lastLine: number | undefined) => {
    const sending = sender.sendMessages(batch).then(
      () => {
        result.sent += batch.count
        result.batches++
        if (lastLine !== undefined) result.lastLine = Math.max(result.lastLine ?? 0, lastLine)
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

  const stopped = new Promise<typeof STOPPED>(resolve => {
    if (options.signal?.aborted) resolve(STOPPED)
    options.signal?.addEventListener('abort', () => resolve(STOPPED), {once: true})
  })
  const iterator = iteratorOf(messages)
  const lazy = !(Symbol.asyncIterator in messages)
  let index = 0
  try {
    let batch = await sender.createMessageBatch()
    let ids: string[] = []
    let batchLastLine: number | undefined
    let lingerTimer: NodeJS.Timeout | undefined
    let linger: Promise<typeof LINGER> | undefined
    const flush = async () => {
      clearTimeout(lingerTimer)
      linger = undefined
      if (batch.count === 0) return
      const full = batch
      const fullIds = ids
      const fullLastLine = batchLastLine
      batch = await sender.createMessageBatch()
      ids = []
      batchLastLine = undefined
      await dispatch(full, fullIds, fullLastLine)
    }
    let pending: Promise<IteratorResult<OutgoingMessage>> | undefined
    for (;;) {
      if (options.signal?.aborted) {
        result.stopped = true
        break
      }
      let next: IteratorResult<OutgoingMessage>
      if (lazy) next = (iterator as Iterator<OutgoingMessage>).next()
      else {
        pending ??= Promise.resolve((iterator as AsyncIterator<OutgoingMessage>).next())
        const raced = await Promise.race(linger ? [pending, linger, stopped] : [pending, stopped])
        if (raced === STOPPED) {
          result.stopped = true
          break
        }
        if (raced === LINGER) {
          await flush()
          continue
        }
        pending = undefined
        next = raced
      }
      if (next.done) break
      const message = next.value
      index++
      if (!batch.tryAddMessage(message)) {
        if (batch.count > 0) await flush()
        if (!batch.tryAddMessage(message)) {
          throw new UsageError(
            `message ${index} is too large: about ${approximateSize(message)} bytes, the queue accepts at most ${batch.maxSizeInBytes} bytes a batch`,
            {
              hint: "Send a smaller body, or raise the queue's max message size.",
            },
          )
        }
      }
      const id = messageIdOf(message)
      if (id !== undefined) ids.push(id)
      const line = options.lineOf?.(message)
      if (line !== undefined) batchLastLine = line
      if (batch.count === 1 && options.lingerMs !== undefined && !lazy) {
        const lingerMs = options.lingerMs
        linger = new Promise(resolve => (lingerTimer = setTimeout(() => resolve(LINGER), lingerMs)))
      }
    }
    // The open batch is sent, also when stopped: what was read is never silently dropped.
    await flush()
    await Promise.all(inFlight)
    if (failure) throw failure
    return result
  } catch (error) {
    await Promise.allSettled(inFlight)
    if (result.sent > 0 || (error instanceof QjobError && index > 1)) {
      const qjobError = toQjobError(error)
      const ErrorClass = qjobError.constructor as new (message: string, options: {hint?: string; cause?: unknown}) => QjobError
      const sent = `${result.sent.toLocaleString('en-US')} message${result.sent === 1 ? ' was' : 's were'} sent before the error`
      const line = result.lastLine === undefined ? '' : `, up to line ${result.lastLine}`
      throw new ErrorClass(`${qjobError.message} (${sent}${line})`, {hint: qjobError.hint, cause: error})
    }
    throw error
  }
}
