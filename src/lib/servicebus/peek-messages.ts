// `qjob peek` and `qjob dlq peek` in one call: opens the client and a receiver, pages through the
// queue (or its dead-letter sub-queue) from a sequence number, filters by dead-letter reason, and
// prints as the user asked. Owns the receiver: it is closed however printing ends (EPIPE included).
import {messageFormat, writeMessagePages} from '../message-output.js'
import {watchStdout} from '../stdout.js'
import type {QueueCommandContext} from './command-support.js'
import {withClient} from './connection.js'
import type {MessageJson} from './message-json.js'
import {deadLetterColumns, messageColumns} from './message-table.js'
import {peekPages} from './peek.js'
import {openReceiver} from './receivers.js'

export interface PeekRequest {
  deadLetter?: boolean
  /** How many messages to print (after filtering); Infinity for all. */
  limit: number
  fromSequence?: number
  /** Only dead letters with this reason. */
  reason?: string
  /** The dead-letter columns (reason, description) in the table. */
  deadLetterView?: boolean
}

export interface PeekOutput {
  json?: boolean
  ndjson?: boolean
}

/** Prints the messages (table or NDJSON, streamed); returns the documents for --json. */
export async function peekMessages(context: QueueCommandContext, request: PeekRequest, output: PeekOutput): Promise<MessageJson[]> {
  watchStdout()
  return withClient(context.target, context, async client => {
    const receiver = await openReceiver(client, {queue: context.queue, deadLetter: request.deadLetter})
    try {
      const filtered = async function* () {
        if (request.limit <= 0) return
        let found = 0
        // With a reason filter the page size cannot follow the limit: read on until enough match.
        const pages = peekPages(receiver, {
          limit: request.reason === undefined ? request.limit : Infinity,
          fromSequence: request.fromSequence,
        })
        for await (const page of pages) {
          const chosen = request.reason === undefined ? page : page.filter(message => message.deadLetterReason === request.reason)
          const kept = chosen.slice(0, request.limit - found)
          found += kept.length
          yield kept
          if (found >= request.limit) return
        }
      }
      const columns = request.deadLetterView ? deadLetterColumns : messageColumns
      return await writeMessagePages(
        filtered(),
        messageFormat(output),
        columns,
        request.deadLetterView ? 'No dead letters.' : 'No messages.',
      )
    } finally {
      await receiver.close()
    }
  })
}
