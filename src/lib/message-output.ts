// Printing a stream of messages in the user's chosen shape: a table (collected), NDJSON (streamed,
// constant memory) or, for --json, the collected documents the command returns to oclif.
import type {ServiceBusReceivedMessage} from '@azure/service-bus'

import {color, type Column, formatTable, jsonReplacer} from './output.js'
import {decodeBody, type MessageJson, toMessageJson} from './servicebus/message-json.js'
import {writeOut} from './stdout.js'

export type MessageFormat = 'table' | 'json' | 'ndjson'

export function messageFormat(flags: {json?: boolean; ndjson?: boolean}): MessageFormat {
  if (flags.ndjson) return 'ndjson'
  return flags.json ? 'json' : 'table'
}

/** One NDJSON line, newline included. */
export function ndjsonLine(item: unknown): string {
  return `${JSON.stringify(item, jsonReplacer)}\n`
}

/** Writes one NDJSON line and waits for the pipe to take it (PipeClosed when the reader left). */
export function writeNdjsonLine(item: unknown): Promise<void> {
  return writeOut(ndjsonLine(item))
}

/** For people (`receive`): a dim header line, then the body as text (binary bodies as base64). */
export function humanText(message: ServiceBusReceivedMessage): string {
  const json = toMessageJson(message)
  const header = [
    `#${json.sequenceNumber}`,
    json.subject,
    json.messageId,
    json.sessionId && `session ${json.sessionId}`,
    `deliveries ${json.deliveryCount ?? 0}`,
  ]
    .filter(Boolean)
    .join('  ')
  const {body} = message.body instanceof Uint8Array ? decodeBody(message.body) : {body: message.body}
  return `${color().dim(header)}\n${typeof body === 'string' ? body : JSON.stringify(body)}\n`
}

/** Prints messages as they come; returns the documents for --json (empty otherwise). */
export async function writeMessages(
  messages: AsyncIterable<ServiceBusReceivedMessage>,
  format: MessageFormat,
  columns: ReadonlyArray<Column<ServiceBusReceivedMessage>>,
  empty: string,
): Promise<MessageJson[]> {
  async function* single() {
    for await (const message of messages) yield [message]
  }
  return writeMessagePages(single(), format, columns, empty)
}

/** The same, page by page: NDJSON goes out one write a page (no round of the event loop per message). */
export async function writeMessagePages(
  pages: AsyncIterable<readonly ServiceBusReceivedMessage[]>,
  format: MessageFormat,
  columns: ReadonlyArray<Column<ServiceBusReceivedMessage>>,
  empty: string,
): Promise<MessageJson[]> {
  const collected: ServiceBusReceivedMessage[] = []
  for await (const page of pages) {
    if (page.length === 0) continue
    if (format === 'ndjson') {
      let text = ''
      for (const message of page) text += ndjsonLine(toMessageJson(message))
      await writeOut(text)
    } else collected.push(...page)
  }
  if (format === 'table') await writeOut(collected.length === 0 ? `${empty}\n` : `${formatTable(collected, columns)}\n`)
  return format === 'json' ? collected.map(toMessageJson) : []
}
