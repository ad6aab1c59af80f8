// `qjob receive` in one call: opens the client and the receiver (queue, dead-letter sub-queue or a
// session), receives (the next messages, or deferred ones by sequence number), writes each message (NDJSON, text, or one JSON document) and settles only what
// was written. Owns the receiver; the command only maps flags to a request and prints nothing itself.
import type {ServiceBusReceivedMessage} from '@azure/service-bus'

import {humanText, ndjsonLine} from '../message-output.js'
import {jsonReplacer} from '../output.js'
import {writeOut} from '../stdout.js'
import type {QueueCommandContext} from './command-support.js'
import {withClient} from './connection.js'
import {toMessageJson} from './message-json.js'
import {receiveAndSettle, type ReceiveResult, type Settlement} from './receive.js'
import {receiveDeferredAndSettle} from './receive-deferred.js'
import {openReceiver, type ReceiverTarget} from './receivers.js'

export interface ReceiveRequest extends Omit<ReceiverTarget, 'queue'> {
  count: number
  waitMs: number
  maxWaitMs?: number
  /** Undefined in receive-and-delete mode. */
  settle?: Settlement
  deadLetterReason?: string
  deadLetterDescription?: string
  /** Deferred messages by sequence number (`--sequence`) instead of the next ones in the queue. */
  sequenceNumbers?: string[]
}

export type ReceiveFormat = 'text' | 'ndjson' | 'json'

function writerFor(format: ReceiveFormat): (messages: ServiceBusReceivedMessage[]) => Promise<void> {
  if (format === 'json') return messages => writeOut(`${JSON.stringify(messages.map(toMessageJson), jsonReplacer, 2)}\n`)
  // A received batch goes out in one write (then all of it is settled): no round of the event loop per message.
  if (format === 'ndjson') return messages => writeOut(messages.map(message => ndjsonLine(toMessageJson(message))).join(''))
  return messages => writeOut(messages.map(humanText).join(''))
}

/**
 * Receives and prints; resolves with the counts. A stopped signal (SIGINT/SIGTERM) or a closed
 * stdout (PipeClosed) leaves every message not yet written unsettled: its lock brings it back.
 */
export async function receiveMessages(
  context: QueueCommandContext,
  request: ReceiveRequest,
  format: ReceiveFormat,
  signal?: AbortSignal,
): Promise<ReceiveResult> {
  return withClient(context.target, context, async client => {
    const receiver = await openReceiver(client, {...request, queue: context.queue})
    try {
      const common = {
        settle: request.mode === 'receiveAndDelete' ? undefined : request.settle,
        deadLetterReason: request.deadLetterReason,
        deadLetterDescription: request.deadLetterDescription,
        all: format === 'json',
        write: writerFor(format),
      }
      const result = request.sequenceNumbers
        ? await receiveDeferredAndSettle(receiver, {...common, sequenceNumbers: request.sequenceNumbers})
        : await receiveAndSettle(receiver, {...common, count: request.count, waitMs: request.waitMs, maxWaitMs: request.maxWaitMs, signal})
      if (result.received === 0) {
        if (format === 'json') await writeOut('[]\n')
        if (format === 'text') process.stderr.write('No messages.\n')
      }
      return result
    } finally {
      await receiver.close()
    }
  })
}
