// Where parked bodies are read from (issue 24): each open durable log registers its file under a
// number, and a message whose body is in the log keeps that number and the body's offset. A
// compaction moves the bodies into a new file: it registers it under a new number, re-parks every
// live message there and unregisters the old one, so a body read after compaction finds its new
// place, and a stale place (a message the log no longer holds) fails loudly instead of reading
// another record's bytes. Reads are positional and synchronous: a body in the page cache costs
// microseconds. Delivering or peeking in order reads bodies that lie side by side (a send's
// messages are one record), so a read that follows the last one reads ahead, one pread for many
// bodies; a read elsewhere reads just its body. Read-ahead stops at the last durable byte: past
// it a failed write may be cut off and written again.
import {readSync} from 'node:fs'

import {allocPayload} from '../payload-arena.js'

/** A message whose body the cache can drop (QueuedMessage). */
export interface Evictable {
  evict(): void
}

/**
 * Hot bodies kept in memory: the ones just written (likely delivered soon) and just read (a
 * redelivery, a peek then receive). First in, first out, bounded in bytes; FIFO also frees the
 * payload arena's slabs in the order they were filled.
 */
export class HotBodies {
  private entries: Array<Evictable | undefined> = []
  private sizes: number[] = []
  private head = 0
  private bytes = 0

  /** Also bounded in entries: each holds its message, and tiny bodies would otherwise keep many alive. */
  constructor(
    readonly limitBytes: number,
    readonly maxEntries = 16_384,
  ) {}

  get cachedBytes(): number {
    return this.bytes
  }

  add(message: Evictable, size: number): void {
    this.entries.push(message)
    this.sizes.push(size)
    this.bytes += size
    while ((this.bytes > this.limitBytes || this.entries.length - this.head > this.maxEntries) && this.head < this.entries.length) {
      const oldest = this.entries[this.head]!
      this.bytes -= this.sizes[this.head]
      this.entries[this.head] = undefined
      this.head++
      oldest.evict()
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head)
      this.sizes = this.sizes.slice(this.head)
      this.head = 0
    }
  }

  clear(): void {
    for (let i = this.head; i < this.entries.length; i++) this.entries[i]!.evict()
    this.entries = []
    this.sizes = []
    this.head = 0
    this.bytes = 0
  }
}

/** One read-ahead: the bodies after a sequential read, up to the last durable byte. */
const READ_AHEAD_BYTES = 128 * 1024
/** Reads further apart than this are not "in order" (a send's record header lies between its bodies and the last ones). */
const SEQUENTIAL_GAP_BYTES = 64 * 1024

interface LogFile {
  fd: number
  cache: HotBodies
  /** Bytes of the file that are durable: read-ahead stops there. */
  durableBytes: () => number
  /** The last read-ahead (its offset in the file and the bytes read) and where the last read ended. */
  ahead?: {start: number; buffer: Buffer; length: number}
  lastEnd: number
}

function readFully(fd: number, into: Buffer, bytes: number, at: number): number {
  let done = 0
  while (done < bytes) {
    const read = readSync(fd, into, done, bytes - done, at + done)
    if (read === 0) break
    done += read
  }
  return done
}

class BodyLogs {
  private next = 1
  private readonly files = new Map<number, LogFile>()

  /** A log file (an open descriptor) bodies can be parked in; its number. */
  register(fd: number, cache: HotBodies, durableBytes: () => number): number {
    const log = this.next++
    this.files.set(log, {fd, cache, durableBytes, lastEnd: -1})
    return log
  }

  unregister(log: number): void {
    this.files.delete(log)
  }

  read(log: number, at: number, bytes: number, sequenceNumber: number): Buffer {
    const file = this.files.get(log)
    if (!file || at < 0)
      throw new Error(`the body of message ${sequenceNumber} is no longer in the message log (the log was compacted or closed)`)
    const sequential = at >= file.lastEnd && at - file.lastEnd <= SEQUENTIAL_GAP_BYTES
    file.lastEnd = at + bytes
    const ahead = file.ahead
    if (ahead && at >= ahead.start && at + bytes <= ahead.start + ahead.length)
      return ahead.buffer.subarray(at - ahead.start, at - ahead.start + bytes)
    const readAhead = Math.min(READ_AHEAD_BYTES, file.durableBytes() - at)
    if (!sequential || bytes * 4 > readAhead) {
      const body = allocPayload(bytes)
      if (readFully(file.fd, body, bytes, at) < bytes) throw this.endsBefore(sequenceNumber, at, bytes)
      return body
    }
    // A new buffer each time: the bodies handed out are views of it (no copy), and it lives while
    // any of them does (the hot-body cache keeps at most its limit of them).
    const buffer = Buffer.allocUnsafeSlow(readAhead)
    const length = readFully(file.fd, buffer, readAhead, at)
    if (length < bytes) throw this.endsBefore(sequenceNumber, at, bytes)
    file.ahead = {start: at, buffer, length}
    return buffer.subarray(0, bytes)
  }

  private endsBefore(sequenceNumber: number, at: number, bytes: number): Error {
    return new Error(`the message log ends before the body of message ${sequenceNumber} (offset ${at}, ${bytes} bytes)`)
  }

  cached(log: number, message: Evictable, bytes: number): void {
    const file = this.files.get(log)
    if (file) file.cache.add(message, bytes)
    else message.evict()
  }
}

export const bodyLogs = new BodyLogs()
