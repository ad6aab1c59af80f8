// Non-destructive reads, page by page, from a sequence number on: constant memory for --all.
import type {ServiceBusReceivedMessage, ServiceBusReceiver} from '@azure/service-bus'

export const PEEK_PAGE_SIZE = 250

export interface PeekOptions {
  /** Stop after this many messages (Infinity for the whole queue). */
  limit: number
  fromSequence?: number
  pageSize?: number
}

export async function* peekAll(receiver: ServiceBusReceiver, options: PeekOptions): AsyncGenerator<ServiceBusReceivedMessage> {
  const {default: Long} = await import('long')
  let next = Long.fromNumber(options.fromSequence ?? 1)
  let remaining = options.limit
  const pageSize = options.pageSize ?? PEEK_PAGE_SIZE
  while (remaining > 0) {
    const page = await receiver.peekMessages(Math.min(pageSize, remaining), {fromSequenceNumber: next})
    if (page.length === 0) return
    for (const message of page) {
      yield message
      remaining--
      if (remaining === 0) return
    }
    const last = page.at(-1)?.sequenceNumber
    if (!last) return
    next = last.add(1)
  }
}
