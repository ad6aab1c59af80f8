// Non-destructive reads, page by page, from a sequence number on: constant memory for --all.
//
// Pages are requested ahead: while one page is printed the next few are on the wire. A peek from
// sequence number S returns the first messages at or after S, and the next page must start right
// after the last one returned, which is only known when that page arrives. Where the sequence
// numbers of a page run without gaps (a queue that was sent to and not yet received from), the
// page after it starts at S + pageSize, so that start is requested before the page comes back.
// A page with gaps (or a short one) makes the guesses ahead of it useless: they are dropped and
// the next page is asked for from the known last one, as without look-ahead. Messages already
// seen are skipped, so a guess that overlaps never prints a message twice.
import type {ServiceBusReceivedMessage, ServiceBusReceiver} from '@azure/service-bus'
import type Long from 'long'

export const PEEK_PAGE_SIZE = 1000
/** Pages on the wire at once while the sequence numbers run without gaps. */
export const PEEK_PAGES_AHEAD = 4

export interface PeekOptions {
  /** Stop after this many messages (Infinity for the whole queue). */
  limit: number
  fromSequence?: number
  pageSize?: number
  /** Pages requested ahead (1: one page at a time). */
  pagesAhead?: number
}

interface PageRequest {
  from: Long
  size: number
  page: Promise<ServiceBusReceivedMessage[]>
}

export async function* peekPages(receiver: ServiceBusReceiver, options: PeekOptions): AsyncGenerator<ServiceBusReceivedMessage[]> {
  const {default: LongClass} = await import('long')
  const pageSize = options.pageSize ?? PEEK_PAGE_SIZE
  const ahead = Math.max(1, options.pagesAhead ?? PEEK_PAGES_AHEAD)
  let remaining = options.limit
  /** The last sequence number handed out: anything at or before it was seen. */
  let seen: Long | undefined
  let requested = 0
  const queue: PageRequest[] = []
  /** Where the page after the last one requested starts if there are no gaps. */
  let guess: Long | undefined
  const request = (from: Long) => {
    const size = Math.min(pageSize, remaining - requested)
    if (size <= 0) return
    requested += size
    guess = from.add(size)
    const page = receiver.peekMessages(size, {fromSequenceNumber: from})
    page.catch(() => undefined) // a guess that is dropped must not be an unhandled rejection
    queue.push({from, size, page})
  }
  const dropGuesses = () => {
    for (const guess of queue.splice(0)) requested -= guess.size
  }
  try {
    request(LongClass.fromNumber(options.fromSequence ?? 1))
    while (queue.length > 0) {
      // Guess the pages after the last one requested, as if the sequence numbers ran on without gaps.
      while (queue.length < ahead && remaining - requested > 0 && guess !== undefined) request(guess)
      const {from, size, page: pending} = queue.shift()!
      // (Every request at the head starts just past the last message seen: a guess reaches the
      // head only behind a page that ran without gaps.)
      requested -= size
      const page = await pending
      const fresh = seen === undefined ? page : page.filter(message => message.sequenceNumber!.greaterThan(seen!))
      const out = fresh.length > remaining ? fresh.slice(0, remaining) : fresh
      if (out.length > 0) {
        seen = out.at(-1)!.sequenceNumber!
        remaining -= out.length
        yield out
      }
      if (remaining <= 0) return
      const last = page.at(-1)?.sequenceNumber
      const dense = page.length === size && last !== undefined && last.equals(from.add(size - 1))
      if (dense) {
        if (queue.length === 0) request(last.add(1))
        continue
      }
      // A gap, a short page or the end: what was guessed ahead may skip messages. (The head of
      // the queue always starts just past the last message seen, so an empty one is the end.)
      dropGuesses()
      if (last === undefined) return
      request(last.add(1))
    }
  } finally {
    dropGuesses()
  }
}

export async function* peekAll(receiver: ServiceBusReceiver, options: PeekOptions): AsyncGenerator<ServiceBusReceivedMessage> {
  for await (const page of peekPages(receiver, options)) yield* page
}
