// Dead letters: resubmit (send a copy to the queue, then complete the dead letter, so a crash may
// duplicate but never lose) and purge.
import type {ServiceBusClient, ServiceBusReceivedMessage} from '@azure/service-bus'
import type Long from 'long'

import {copyForResend} from './message-json.js'
import {peekAll} from './peek.js'
import {openReceiver} from './receivers.js'

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

export interface ResubmitProgress {
  onResubmitted?: (message: ServiceBusReceivedMessage) => void
}

/** The sequence numbers of the dead letters that match now (peeked; nothing is locked). */
export async function matchingDeadLetters(client: ServiceBusClient, queue: string, filter: DeadLetterFilter): Promise<string[]> {
  const peeker = await openReceiver(client, {queue, deadLetter: true})
  const found: string[] = []
  try {
    for await (const message of peekAll(peeker, {limit: Infinity})) {
      if (found.length >= filter.limit) break
      if (matches(message, filter)) found.push(String(message.sequenceNumber))
    }
    return found
  } finally {
    await peeker.close()
  }
}

/**
 * Sends each chosen dead letter back to its queue and then completes it. The set is fixed when the
 * command starts (a peek), so a message that dies again while we work is not resubmitted in a
 * loop. Others received on the way are abandoned; it stops when every chosen one is done, or when
 * the sub-queue has nothing new to offer.
 */
export async function resubmitDeadLetters(
  client: ServiceBusClient,
  queue: string,
  filter: DeadLetterFilter,
  progress: ResubmitProgress = {},
): Promise<number> {
  const targets = new Set(await matchingDeadLetters(client, queue, filter))
  if (targets.size === 0) return 0
  const receiver = await openReceiver(client, {queue, deadLetter: true})
  const sender = client.createSender(queue)
  const seen = new Set<string>()
  let resubmitted = 0
  try {
    while (targets.size > 0) {
      const batch = await receiver.receiveMessages(BATCH, {maxWaitTimeInMs: WAIT_MS})
      if (batch.length === 0) break
      let fresh = false
      for (const message of batch) {
        const key = String(message.sequenceNumber)
        if (!seen.has(key)) fresh = true
        seen.add(key)
        if (targets.has(key)) {
          await sender.sendMessages(copyForResend(message))
          await receiver.completeMessage(message)
          targets.delete(key)
          resubmitted++
          progress.onResubmitted?.(message)
        } else {
          await receiver.abandonMessage(message)
        }
      }
      if (!fresh || targets.size === 0) break
    }
    return resubmitted
  } finally {
    await sender.close()
    await receiver.close()
  }
}

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
  const receiver = await openReceiver(client, {queue, deadLetter: options.deadLetter, mode: 'receiveAndDelete'})
  let removed = 0
  const count = (n: number) => {
    removed += n
    options.onProgress?.(removed)
  }
  try {
    for (;;) {
      const batch = await receiver.receiveMessages(BATCH * 5, {maxWaitTimeInMs: removed === 0 ? WAIT_MS : 500})
      if (batch.length === 0) break
      count(batch.length)
    }
    await removeScheduledAndDeferred(client, queue, options.deadLetter, count)
    return removed
  } finally {
    await receiver.close()
  }
}

async function removeScheduledAndDeferred(client: ServiceBusClient, queue: string, deadLetter: boolean, count: (n: number) => void): Promise<void> {
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
  if (scheduled.length === 0 || deadLetter) return
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
