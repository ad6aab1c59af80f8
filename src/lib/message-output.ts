// Printing a stream of messages in the user's chosen shape: a table (collected), NDJSON (streamed,
// constant memory) or, for --json, the collected documents the command returns to oclif.
import type {ServiceBusReceivedMessage} from '@azure/service-bus'

import {type Column, formatTable, printNdjson} from './output.js'
import {type MessageJson, toMessageJson} from './servicebus/message-json.js'

export type MessageFormat = 'table' | 'json' | 'ndjson'

export function messageFormat(flags: {json?: boolean; ndjson?: boolean}): MessageFormat {
  if (flags.ndjson) return 'ndjson'
  return flags.json ? 'json' : 'table'
}

/** Writes one NDJSON line and waits for the pipe to take it. */
export async function writeNdjsonLine(item: unknown): Promise<void> {
  if (!printNdjson(item)) await new Promise(resolve => process.stdout.once('drain', resolve))
}

/** Prints messages as they come; returns the documents for --json (empty otherwise). */
export async function writeMessages(
  messages: AsyncIterable<ServiceBusReceivedMessage>,
  format: MessageFormat,
  columns: ReadonlyArray<Column<ServiceBusReceivedMessage>>,
  empty: string,
): Promise<MessageJson[]> {
  const collected: ServiceBusReceivedMessage[] = []
  for await (const message of messages) {
    if (format === 'ndjson') await writeNdjsonLine(toMessageJson(message))
    else collected.push(message)
  }
  if (format === 'table') process.stdout.write(collected.length === 0 ? `${empty}\n` : `${formatTable(collected, columns)}\n`)
  return format === 'json' ? collected.map(toMessageJson) : []
}
