// A queued message whose body can stay in the durable log (issue 24). The broker keeps one of
// these per message; `payload` is read like a field, but once the message's record is durable
// the body may be dropped from memory and read back from the log when it is delivered or peeked
// (a positional read of exactly its bytes), through a bounded cache of hot bodies (body-log.ts).
// The body's place in the log lives in private fields, so `{...message}` copies neither it nor
// the payload: copies are made with copyMessage, which reads the body.
import type {MessageState, StoredMessage} from '../broker/message.js'
import {bodyLogs} from './body-log.js'

/** Not in any log: the body is only in memory. */
const RESIDENT = -1

export class QueuedMessage implements StoredMessage {
  sequenceNumber: number
  enqueuedTimeUtc: number
  deliveryCount: number
  state: MessageState
  messageId: string
  declare expiresAtUtc?: number
  declare timeToLiveMs?: number
  declare scheduledEnqueueTimeUtc?: number
  declare sessionId?: string
  declare partitionKey?: string
  declare deadLetterSource?: string
  /**
   * The body in memory: always when resident; for a body in a log, a cached copy (or nothing). A
   * body that is a view into a shared slab (the payload arena's) is kept as that slab's
   * ArrayBuffer and #start: a Buffer view of its own would cost ~88 bytes of heap a message.
   */
  #body: Buffer | ArrayBuffer | undefined
  /** Where the body starts in #body when that is a shared ArrayBuffer. */
  #start = 0
  /** Where the body starts in the log of generation #log, or RESIDENT. */
  #at = RESIDENT
  #bytes: number
  /** Which log (and which of its compactions) #at is an offset in (body-log.ts). */
  #log = 0

  constructor(
    fields: Pick<StoredMessage, 'sequenceNumber' | 'enqueuedTimeUtc' | 'deliveryCount' | 'state' | 'messageId'>,
    payload: Buffer | undefined,
    bytes = payload?.length ?? 0,
  ) {
    this.sequenceNumber = fields.sequenceNumber
    this.enqueuedTimeUtc = fields.enqueuedTimeUtc
    this.deliveryCount = fields.deliveryCount
    this.state = fields.state
    this.messageId = fields.messageId
    this.#hold(payload)
    this.#bytes = bytes
  }

  get payload(): Buffer {
    const resident = this.#resident()
    if (resident !== undefined) return resident
    const body = bodyLogs.read(this.#log, this.#at, this.#bytes, this.sequenceNumber)
    this.#body = body
    bodyLogs.cached(this.#log, this, body.length)
    return body
  }

  /** A new body: in memory only until a record carrying it is durable (then it is parked again). */
  set payload(value: Buffer) {
    this.#body = value
    this.#start = 0
    this.#bytes = value.length
    this.#at = RESIDENT
    this.#log = 0
  }

  /** The body's length, without reading it. */
  get payloadBytes(): number {
    return this.#bytes
  }

  /**
   * What holds the body in memory now, or undefined: what park compares against. Only the setter
   * changes a body, and it stores the new Buffer itself, so a changed body never compares equal.
   */
  get bodyInMemory(): Buffer | ArrayBuffer | undefined {
    return this.#body
  }

  /** Whether the body is in a log (else only in memory). */
  get parked(): boolean {
    return this.#at !== RESIDENT
  }

  /** Where the body is: [log, offset], or undefined when it is only in memory. */
  get bodyPlace(): [number, number] | undefined {
    return this.#at === RESIDENT ? undefined : [this.#log, this.#at]
  }

  /** The body without caching it (compaction reads every live body once). */
  bodyForCopy(): Buffer {
    return this.#resident() ?? bodyLogs.read(this.#log, this.#at, this.#bytes, this.sequenceNumber)
  }

  /**
   * The body is durable at `at` in log `log` (a record written when the body in memory was
   * `inMemory`): the copy in memory may go, kept as a hot body when `cache`. Refused when the body
   * was changed since (a newer record carries the new one and parks it).
   */
  park(log: number, at: number, inMemory: Buffer | ArrayBuffer | undefined, cache: boolean): boolean {
    // Only the setter changes a body, and it makes the message resident.
    if (this.#at === RESIDENT && this.#body !== inMemory) return false
    const wasResident = this.#at === RESIDENT
    this.#log = log
    this.#at = at
    if (wasResident && this.#body !== undefined) {
      if (cache) bodyLogs.cached(log, this, this.#bytes)
      else this.#body = undefined
    }
    return true
  }

  /** The shared slab the body is held in, when it is (payload-compaction.ts). */
  get slab(): ArrayBuffer | undefined {
    return this.#body instanceof ArrayBuffer ? this.#body : undefined
  }

  /** Where the body starts in its slab. */
  get slabOffset(): number {
    return this.#start
  }

  /** The body, held in a slab, is now `copy` (the same bytes in another slab): in memory mode only. */
  moveBody(copy: Buffer): void {
    this.#hold(copy)
  }

  #hold(payload: Buffer | undefined): void {
    if (payload !== undefined && payload.buffer instanceof ArrayBuffer && payload.byteLength !== payload.buffer.byteLength) {
      this.#body = payload.buffer
      this.#start = payload.byteOffset
    } else {
      this.#body = payload
      this.#start = 0
    }
  }

  #resident(): Buffer | undefined {
    const body = this.#body
    return body instanceof ArrayBuffer ? Buffer.from(body, this.#start, this.#bytes) : body
  }

  /** Drops the cached body (the cache's eviction); a body that is only in memory stays. */
  evict(): void {
    if (this.#at !== RESIDENT) this.#body = undefined
  }
}

/** The optional fields of a message, by type (the log's and the index file's encoders list them). */
export const OPTIONAL_NUMBER_FIELDS = ['expiresAtUtc', 'timeToLiveMs', 'scheduledEnqueueTimeUtc'] as const satisfies ReadonlyArray<
  keyof StoredMessage
>
export const OPTIONAL_STRING_FIELDS = ['sessionId', 'partitionKey', 'deadLetterSource'] as const satisfies ReadonlyArray<
  keyof StoredMessage
>
const OPTIONAL_FIELDS = [...OPTIONAL_NUMBER_FIELDS, ...OPTIONAL_STRING_FIELDS]

/** A queued message made of plain fields (a replayed record's metadata); the body given or in a log. */
export function queuedMessage(fields: Omit<StoredMessage, 'payload'>, payload: Buffer | undefined, bytes?: number): QueuedMessage {
  const message = new QueuedMessage(fields, payload, bytes)
  for (const key of OPTIONAL_FIELDS) {
    const value = fields[key]
    if (value !== undefined) (message as unknown as Record<string, unknown>)[key] = value
  }
  return message
}

/**
 * A copy of a message with some fields changed (what `{...message, ...changes}` was): a field
 * set to undefined in `changes` is left out. The body is read if it is only in the log.
 */
export function copyMessage(message: StoredMessage, changes: Partial<StoredMessage> = {}): StoredMessage {
  const {payload, ...fields} = changes
  return queuedMessage({...plainFields(message), ...fields}, payload ?? message.payload)
}

/** The message's fields without its body (also what a record's JSON holds). */
export function plainFields(message: StoredMessage): Omit<StoredMessage, 'payload'> {
  if (!(message instanceof QueuedMessage)) {
    const {payload: _payload, ...fields} = message
    return fields
  }
  return {...message}
}

/** The body to write into a frame, read without caching it when it is only in the log. */
export function bodyToWrite(message: StoredMessage): Buffer {
  return message instanceof QueuedMessage ? message.bodyForCopy() : message.payload
}

/** What park needs to know the body did not change: the body in memory now. */
export function bodyInMemory(message: StoredMessage): Buffer | ArrayBuffer | undefined {
  return message instanceof QueuedMessage ? message.bodyInMemory : message.payload
}

/** The body's length without reading it from the log. */
export function payloadBytes(message: StoredMessage): number {
  return message instanceof QueuedMessage ? message.payloadBytes : message.payload.length
}
