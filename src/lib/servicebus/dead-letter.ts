// Dead letters: resubmit (send a copy to the queue, then complete the dead letter, so a crash may
// duplicate but never lose) and purge.
import {randomUUID} from 'node:crypto'

import type {ServiceBusClient, ServiceBusMessageBatch, ServiceBusReceivedMessage, ServiceBusReceiver} from '@azure/service-bus'
import type Long from 'long'

import {NotFoundError} from '../../common/errors.js'
import {copyForResend} from './message-json.js'
import {peekAll} from './peek.js'
import {splitEntityPath} from './entity.js'
import {openReceiver} from './receivers.js'
import {SettlementOrder} from './settlement-order.js'

export interface DeadLetterFilter {
  /** Only these sequence numbers (as text). */
  sequenceNumbers?: ReadonlySet<string>
  /** Only dead letters with this reason. */
  reason?: string
  /** At most this many. */
  limit: number
}

export function matches(message: ServiceBusReceivedMessage, filter: DeadLetterFilter): boolean {
  if (filter.reason !== undefined && message.deadLetterReason !== filter.reason) return false
  if (filter.sequenceNumbers && !filter.sequenceNumbers.has(String(message.sequenceNumber))) return false
  return true
}

const BATCH = 100
const WAIT_MS = 2000
/** Resubmit's batches of copies sent (and their dead letters completed) at the same time. */
const IN_FLIGHT_BATCHES = 4

export interface ResubmitOptions {
  /**
   * Keep each copy's message id. Off by default: on a queue with duplicate detection the service
   * accepts a copy whose id is still in the detection window and drops it, and completing the dead
   * letter then loses the message.
   */
  keepMessageId?: boolean
  /** Where the copies go, when not back to `queue` (a subscription's copies go to its topic). */
  sendTo?: string
  /** Application properties set on each copy (the subscription a topic copy is meant for). */
  markCopies?: Record<string, string>
  onResubmitted?: (message: ServiceBusReceivedMessage) => void
}

/** The dead letters chosen now, in sequence order (peeked; nothing is locked). */
export interface DeadLetterSelection {
  /** The chosen sequence numbers, in the order the sub-queue holds them. */
  chosen: string[]
  /** Every sequence number of the sub-queue up to the last chosen one (chosen or not). */
  upToLast: string[]
}

/**
 * Peeks the sub-queue and picks what the filter selects. A --sequence that is not a dead letter
 * of this queue is exit 3 before anything is changed.
 */
export async function selectDeadLetters(client: ServiceBusClient, queue: string, filter: DeadLetterFilter): Promise<DeadLetterSelection> {
  const peeker = await openReceiver(client, {queue, deadLetter: true})
  const chosen: string[] = []
  const seen: string[] = []
  const wanted = new Set(filter.sequenceNumbers ?? [])
  try {
    for await (const message of peekAll(peeker, {limit: Infinity})) {
      if (chosen.length >= filter.limit) break
      const key = String(message.sequenceNumber)
      seen.push(key)
      wanted.delete(key)
      if (matches(message, filter)) chosen.push(key)
      if (filter.sequenceNumbers && wanted.size === 0 && chosen.length >= Math.min(filter.limit, filter.sequenceNumbers.size)) break
    }
  } finally {
    await peeker.close()
  }
  if (wanted.size > 0) {
    const missing = [...wanted]
    throw new NotFoundError(
      `no dead letter with sequence number${missing.length === 1 ? '' : 's'} ${missing.join(' ')} on queue "${queue}"`,
      {
        hint: 'List dead letters with "qjob dlq peek"; nothing was moved.',
      },
    )
  }
  const last = chosen.at(-1)
  return {chosen, upToLast: last === undefined ? [] : seen.slice(0, seen.indexOf(last) + 1)}
}

/** The sequence numbers of the dead letters that match now (peeked; nothing is locked). */
export async function matchingDeadLetters(client: ServiceBusClient, queue: string, filter: DeadLetterFilter): Promise<string[]> {
  return (await selectDeadLetters(client, queue, filter)).chosen
}

/**
 * Sends each chosen dead letter back to its queue and then completes it. The set is fixed when the
 * command starts (a peek), so a message that dies again while we work is not resubmitted in a
 * loop. Receiving takes dead letters from the head of the sub-queue, so it asks for no more than
 * reach the last chosen one: dead letters behind it are never locked. Those in front of a chosen
 * one (not chosen) are held, not abandoned at once (which would hand them straight back), and
 * abandoned at the end.
 *
 * The copies go out in message batches, a few batches in flight while the next dead letters are
 * received; a dead letter is completed only once the batch holding its copy was accepted, so a
 * failed or dropped send leaves it where it was.
 */
export async function resubmitDeadLetters(
  client: ServiceBusClient,
  queue: string,
  filter: DeadLetterFilter,
  options: ResubmitOptions = {},
): Promise<number> {
  const {chosen, upToLast} = await selectDeadLetters(client, queue, filter)
  const targets = new Set(chosen)
  if (targets.size === 0) return 0
  const position = new Map(upToLast.map((key, index) => [key, index]))
  const receiver = await openReceiver(client, {queue, deadLetter: true})
  const sender = client.createSender(options.sendTo ?? queue)
  // Completes and abandons on one receiver must not share a disposition frame (settlement-order.ts).
  const order = new SettlementOrder()
  const held: ServiceBusReceivedMessage[] = []
  const heldKeys = new Set<string>()
  const inFlight = new Set<Promise<void>>()
  let failure: {error: unknown} | undefined
  let cursor = 0
  let resubmitted = 0

  /** Sends one batch of copies, then completes the dead letters they were copied from. */
  const dispatch = (batch: ServiceBusMessageBatch, originals: ServiceBusReceivedMessage[]) => {
    const flight: Promise<void> = (async () => {
      await sender.sendMessages(batch)
      await Promise.all(originals.map(message => order.run('complete', () => receiver.completeMessage(message))))
      resubmitted += originals.length
      for (const message of originals) options.onResubmitted?.(message)
    })()
      .catch(error => {
        failure ??= {error}
      })
      .finally(() => inFlight.delete(flight))
    inFlight.add(flight)
  }

  try {
    while (targets.size > 0 && failure === undefined) {
      const want = Math.max(1, Math.min(BATCH, upToLast.length - cursor))
      const received = await receiver.receiveMessages(want, {maxWaitTimeInMs: WAIT_MS})
      if (received.length === 0) break
      let batch = await sender.createMessageBatch()
      let originals: ServiceBusReceivedMessage[] = []
      for (const message of received) {
        const key = String(message.sequenceNumber)
        const at = position.get(key)
        if (at !== undefined) cursor = Math.max(cursor, at + 1)
        if (targets.has(key)) {
          targets.delete(key)
          const copy = copyForResend(message)
          if (!options.keepMessageId) (copy as {messageId?: unknown}).messageId = randomUUID()
          if (options.markCopies) copy.applicationProperties = {...copy.applicationProperties, ...options.markCopies}
          if (batch.tryAddMessage(copy)) {
            originals.push(message)
            continue
          }
          if (originals.length > 0) dispatch(batch, originals)
          batch = await sender.createMessageBatch()
          originals = []
          if (batch.tryAddMessage(copy)) originals.push(message)
          else {
            // Too big for a batch of its own: a plain send says why (and the dead letter stays).
            await sender.sendMessages(copy)
            await order.run('complete', () => receiver.completeMessage(message))
            resubmitted++
            options.onResubmitted?.(message)
          }
        } else if (heldKeys.has(key)) {
          // Its lock expired while we held it: give it back now.
          await order.run('other', () => receiver.abandonMessage(message))
        } else {
          held.push(message)
          heldKeys.add(key)
        }
      }
      if (originals.length > 0) dispatch(batch, originals)
      while (inFlight.size >= IN_FLIGHT_BATCHES) await Promise.race(inFlight)
    }
    await Promise.all(inFlight)
    if (failure !== undefined) throw failure.error
    return resubmitted
  } finally {
    await Promise.all(inFlight)
    for (const message of held) await order.run('other', () => receiver.abandonMessage(message)).catch(() => undefined)
    await sender.close()
    await receiver.close()
  }
}

/** A purge's receive-and-delete batches; once one comes back full, a second link joins in. */
const PURGE_BATCH = BATCH * 5

/**
 * Removes every message of the queue (or its dead-letter sub-queue): active ones in
 * receive-and-delete batches, then scheduled ones by cancelling them and deferred ones by
 * receiving them by sequence number and completing them.
 */
export async function purgeMessages(
  client: ServiceBusClient,
  queue: string,
  options: {deadLetter: boolean; onProgress?: (removed: number) => void},
): Promise<number> {
  const open = () => openReceiver(client, {queue, deadLetter: options.deadLetter, mode: 'receiveAndDelete'})
  const receivers = [await open()]
  let removed = 0
  const count = (n: number) => {
    removed += n
    options.onProgress?.(removed)
  }
  const take = async (receiver: ServiceBusReceiver): Promise<number> => {
    const batch = await receiver.receiveMessages(PURGE_BATCH, {maxWaitTimeInMs: removed === 0 ? WAIT_MS : 500})
    count(batch.length)
    return batch.length
  }
  // Each link takes batches until one comes back empty. Two overlap the service's work on one
  // batch with the client's on the other; a short queue never waits for the second.
  const drain = async (receiver: ServiceBusReceiver) => {
    for (;;) if ((await take(receiver)) === 0) return
  }
  try {
    const first = await take(receivers[0])
    if (first === PURGE_BATCH) receivers.push(await open())
    if (first > 0) await Promise.all(receivers.map(drain))
    await removeScheduledAndDeferred(client, queue, options.deadLetter, count)
    return removed
  } finally {
    await Promise.all(receivers.map(receiver => receiver.close()))
  }
}

async function removeScheduledAndDeferred(
  client: ServiceBusClient,
  queue: string,
  deadLetter: boolean,
  count: (n: number) => void,
): Promise<void> {
  const peeker = await openReceiver(client, {queue, deadLetter})
  const scheduled: Long[] = []
  const deferred: Long[] = []
  try {
    for await (const message of peekAll(peeker, {limit: Infinity})) {
      if (!message.sequenceNumber) continue
      if (message.state === 'scheduled') scheduled.push(message.sequenceNumber)
      if (message.state === 'deferred') deferred.push(message.sequenceNumber)
    }
    for (let i = 0; i < deferred.length; i += BATCH) {
      const messages = await peeker.receiveDeferredMessages(deferred.slice(i, i + BATCH))
      for (const message of messages) await peeker.completeMessage(message)
      count(messages.length)
    }
  } finally {
    await peeker.close()
  }
  // A subscription has no scheduled messages of its own (they wait in the topic).
  if (scheduled.length === 0 || deadLetter || splitEntityPath(queue).subscription !== undefined) return
  const sender = client.createSender(queue)
  try {
    for (let i = 0; i < scheduled.length; i += BATCH) {
      await sender.cancelScheduledMessages(scheduled.slice(i, i + BATCH))
      count(Math.min(BATCH, scheduled.length - i))
    }
  } finally {
    await sender.close()
  }
}
