// Receiving with "written before settled": each message goes to the caller's writer first (which
// flushes stdout), and only then is it completed/abandoned/dead-lettered/deferred. Anything not yet
// written when qjob is stopped stays locked and comes back when the lock expires or the link closes.
import type {ServiceBusReceivedMessage, ServiceBusReceiver} from '@azure/service-bus'

export type Settlement = 'complete' | 'abandon' | 'dead-letter' | 'defer'

export interface ReceiveOptions {
  count: number
  /** How long to wait for the first message (and each later batch). */
  waitMs: number
  /** Overall limit; undefined for none. */
  maxWaitMs?: number
  /** Undefined in receive-and-delete mode (the service already removed the message). */
  settle?: Settlement
  deadLetterReason?: string
  deadLetterDescription?: string
  /** Write a received batch (or, with `all`, every message at the end) and resolve once flushed. */
  write: (messages: ServiceBusReceivedMessage[]) => Promise<void>
  /** Write everything at once at the end (one JSON document) instead of message by message. */
  all?: boolean
  signal?: AbortSignal
}

export interface ReceiveResult {
  received: number
  settled: number
}

/** Messages a receive asks for: fewer round trips, and no more than a few hundred locked at once. */
const MAX_BATCH = 250

export async function settleMessage(
  receiver: ServiceBusReceiver,
  message: ServiceBusReceivedMessage,
  settle: Settlement,
  reason?: {deadLetterReason?: string; deadLetterErrorDescription?: string},
): Promise<void> {
  switch (settle) {
    case 'complete':
      return receiver.completeMessage(message)
    case 'abandon':
      return receiver.abandonMessage(message)
    case 'defer':
      return receiver.deferMessage(message)
    case 'dead-letter':
      return receiver.deadLetterMessage(message, {
        deadLetterReason: reason?.deadLetterReason ?? 'ReceivedByQjob',
        deadLetterErrorDescription: reason?.deadLetterErrorDescription ?? 'Dead-lettered with qjob receive --settle dead-letter',
      })
  }
}

/** Settlements in flight at once: each waits for a round trip, so they are pipelined. */
const MAX_PENDING_SETTLEMENTS = 256

export async function receiveAndSettle(receiver: ServiceBusReceiver, options: ReceiveOptions): Promise<ReceiveResult> {
  const result: ReceiveResult = {received: 0, settled: 0}
  const deadline = options.maxWaitMs === undefined ? Infinity : Date.now() + options.maxWaitMs
  const pending: ServiceBusReceivedMessage[] = []
  const settling = new Set<Promise<void>>()
  const reason = {deadLetterReason: options.deadLetterReason, deadLetterErrorDescription: options.deadLetterDescription}

  /** Starts settling a message that has been written; waits when too many are in flight. */
  const settle = async (message: ServiceBusReceivedMessage) => {
    if (!options.settle) return
    const done: Promise<void> = settleMessage(receiver, message, options.settle, reason).then(() => {
      result.settled++
      settling.delete(done)
    })
    settling.add(done)
    if (settling.size >= MAX_PENDING_SETTLEMENTS) await Promise.race(settling)
  }

  let failure: unknown
  /**
   * The next batch, asked for once the last one is written and its settlements are on the wire:
   * the service commits those while it delivers the next batch (asked for first, the commit
   * waited behind the delivery, and the client behind the commit).
   */
  let next: Promise<ServiceBusReceivedMessage[]> | undefined
  const receive = (): Promise<ServiceBusReceivedMessage[]> | undefined => {
    const want = Math.min(MAX_BATCH, options.count - result.received)
    const wait = Math.min(options.waitMs, deadline - Date.now())
    if (want <= 0 || wait <= 0 || options.signal?.aborted) return undefined
    const batch = receiver.receiveMessages(want, {maxWaitTimeInMs: wait, abortSignal: options.signal}).catch((error: unknown) => {
      if (options.signal?.aborted) return []
      throw error
    })
    // If we stop before awaiting it (a closed pipe), its messages stay locked and come back.
    batch.catch(() => undefined)
    return batch
  }
  try {
    next = receive()
    while (next !== undefined) {
      const batch = await next
      next = undefined
      if (batch.length === 0) break
      for (const message of batch) {
        // Stopped: leave the rest unwritten and unsettled; their locks bring them back.
        if (options.signal?.aborted) break
        result.received++
        pending.push(message)
      }
      if (!options.all && pending.length > 0) {
        // The batch is written (flushed) in one go, and only then settled.
        const written = pending.splice(0)
        await options.write(written)
        for (const message of written) await settle(message)
      }
      next = receive()
    }
    if (options.all && pending.length > 0) {
      await options.write(pending)
      for (const message of pending) await settle(message)
    }
  } catch (error) {
    failure = error
  }
  // Whatever happened, the settlements already started finish (or fail) before we return.
  const rejected = (await Promise.allSettled(settling)).find(outcome => outcome.status === 'rejected')
  if (failure !== undefined) throw failure
  if (rejected) throw (rejected as PromiseRejectedResult).reason
  return result
}
