// The on-disk framing of the durable store's append-only log (format 2). One frame per record:
//   magic (4) | u32 body length | u32 CRC-32 of (length bytes + body) | u32 CRC-32 of the 12 bytes before | body
//   body = u32 JSON length | JSON of the record (message payload left out) | payload bytes
// except that message-put records of one queue and sub-queue that are appended together are one
// frame, a put group, in binary (their JSON cost a quarter of the emulator's CPU in durable ingest):
//   body = u32 (GROUP_TAG | table length) | table | the bodies one after another
//   table = string queue | u8 sub-queue | u32 count | an entry a message (message-entry.ts; its
//           body offset counted from the first body)
// A put group decodes to a batch of message-put records. Logs from before put groups (JSON only)
// read as they did; qjob versions from before put groups take a put group for a damaged record.
// The magic marks where a frame starts, so replay can resync past damaged bytes to the next
// intact frame; the header CRC makes each candidate start cheap to check, the body CRC covers the
// length too, so a flipped length cannot pass as a shorter record.
// Format 1 (before frames had a start mark) was `u32 body length | u32 CRC-32 of body | body`;
// its files are still read (legacyFrameAt) and rewritten in format 2 on first open.
import {crc32} from 'node:zlib'

import type {StoredMessage} from '../broker/message.js'
import {copyPayload} from '../payload-arena.js'
import {entryBytes, readEntry, readString, stringBytes, writeEntry, writeString} from './message-entry.js'
import type {StoreRecord, SubQueue} from './message-store.js'
import {bodyInMemory, bodyToWrite, plainFields, queuedMessage} from './queued-message.js'

/**
 * A message body in an encoded frame: `at` is its offset from the frame's start (plus the base
 * given); `inMemory` the body the message held in memory then (QueuedMessage.park).
 */
export interface BodyPlacement {
  message: StoredMessage
  inMemory: Buffer | ArrayBuffer | undefined
  at: number
}

/** Where a frame being decoded lies: its bodies stay there (parked in log `log`) instead of being copied. */
export interface FramePlace {
  log: number
  /** The frame's offset in the file. */
  at: number
}

/** 0xD1 0x0B 'Q' 'J': as a format 1 length it would be over 3 GB, so the formats cannot be confused. */
export const FRAME_MAGIC = Buffer.from([0xd1, 0x0b, 0x51, 0x4a])
/**
 * The start mark of a record inside a batch frame. It differs from FRAME_MAGIC so that replay,
 * resyncing past damage, never takes a batch's inner record for a frame of its own: a batch is
 * applied whole or not at all.
 */
const NESTED_MAGIC = Buffer.from([0xd1, 0x0b, 0x51, 0x42])
export const FRAME_HEADER_BYTES = 16
export const LEGACY_HEADER_BYTES = 8
const JSON_LENGTH_BYTES = 4
/** No record comes near this (a message is at most 100 MB); a bigger length is damage. */
export const MAX_BODY_BYTES = 256 * 1024 * 1024
/** Marks a put group's first word (a JSON length is at most MAX_BODY_BYTES, far below it). */
const GROUP_TAG = 0x80000000
/**
 * A put group takes no more messages once its bodies reach this, and frames are written in
 * buffers of at most WRITE_BUFFER_BYTES. Both stay below the 256 KB from which glibc maps an
 * allocation of its own in the background emulator (process-tuning.ts): mapping, faulting in and
 * unmapping a 300 KB buffer took ~1.3 ms against ~0.2 ms for one from the heap.
 */
const GROUP_MAX_BODY_BYTES = 128 * 1024
const WRITE_BUFFER_BYTES = 192 * 1024
const SUB_QUEUE_CODES: Record<SubQueue, number> = {main: 0, deadLetter: 1}
const SUB_QUEUES: SubQueue[] = ['main', 'deadLetter']

function messageOf(record: StoreRecord): StoredMessage | undefined {
  return record.type === 'message-put' || record.type === 'message-move' ? record.message : undefined
}

/** The record as JSON, the payload left out (stringify must not see the Buffer: toJSON is slow). */
export function recordJson(record: StoreRecord): string {
  // Message records, written by hand: stringifying a copy of each message was the largest cost of
  // durable ingest (~2.5 µs a message). The same JSON as JSON.stringify (log-codec.test.ts).
  const text = JSON.stringify
  if (record.type === 'message-put')
    return `{"type":"message-put","queue":${text(record.queue)},"subQueue":${text(record.subQueue)},"message":${messageJson(record.message)}}`
  if (record.type === 'message-move')
    return `{"type":"message-move","queue":${text(record.queue)},"from":${text(record.from)},"to":${text(record.to)},"message":${messageJson(record.message)}}`
  return text(record)
}

/** `,"name":value` as JSON.stringify writes a field (a finite number as its decimal text): nothing when undefined. */
function field(name: string, value: string | number | undefined): string {
  if (value === undefined) return ''
  return typeof value === 'number' && Number.isFinite(value) ? `,"${name}":${value}` : `,"${name}":${JSON.stringify(value)}`
}

/**
 * As JSON.stringify of every field a message record holds (replay reads no others), in this
 * order; an undefined one is left out. The fields are read by name, not in a loop over their names:
 * a keyed read of each on the message cost ~3 µs a message.
 */
function messageJson(message: StoredMessage): string {
  const json =
    field('sequenceNumber', message.sequenceNumber) +
    field('enqueuedTimeUtc', message.enqueuedTimeUtc) +
    field('deliveryCount', message.deliveryCount) +
    field('state', message.state) +
    field('messageId', message.messageId) +
    field('expiresAtUtc', message.expiresAtUtc) +
    field('timeToLiveMs', message.timeToLiveMs) +
    field('scheduledEnqueueTimeUtc', message.scheduledEnqueueTimeUtc) +
    field('sessionId', message.sessionId) +
    field('partitionKey', message.partitionKey) +
    field('deadLetterSource', message.deadLetterSource)
  return `{${json.slice(1)}}`
}

function bodyCrc(frame: Buffer, offset: number, bodyLength: number): number {
  return crc32(
    frame.subarray(offset + FRAME_HEADER_BYTES, offset + FRAME_HEADER_BYTES + bodyLength),
    crc32(frame.subarray(offset + 4, offset + 8)),
  )
}

/** A record ready to be written: its JSON, its message and payload (a batch: its records) and its frame's size. */
interface FramePlan {
  json: string
  jsonBytes: number
  message?: StoredMessage
  payload?: Buffer
  inner?: FramePlan[]
  group?: PutGroup
  bytes: number
}

/** The message-put records of one put group frame. */
interface PutGroup {
  queue: string
  subQueue: SubQueue
  messages: StoredMessage[]
  payloads: Buffer[]
  tableBytes: number
  payloadBytes: number
}

function planFrame(record: StoreRecord): FramePlan {
  const json = record.type === 'batch' ? '{"type":"batch"}' : recordJson(record)
  const jsonBytes = Buffer.byteLength(json, 'utf8')
  let payloadBytes = 0
  let payload: Buffer | undefined
  let inner: FramePlan[] | undefined
  const message = messageOf(record)
  if (record.type === 'batch') {
    // A batch is one frame whose payload is its records' frames: a torn batch is dropped whole.
    inner = planFrames(record.records)
    for (const plan of inner) payloadBytes += plan.bytes
  } else if (message) payload = bodyOf(message)
  if (payload) payloadBytes = payload.length
  return {json, jsonBytes, message, payload, inner, bytes: FRAME_HEADER_BYTES + JSON_LENGTH_BYTES + jsonBytes + payloadBytes}
}

/** The body to write for a message; refused when it has none (a copy made by spreading lost it). */
function bodyOf(message: StoredMessage): Buffer {
  const payload = bodyToWrite(message)
  if (!Buffer.isBuffer(payload)) throw new Error(`message ${message.sequenceNumber} has no body to store`)
  return payload
}

/** The frames of `records`: a run of message-put records into one queue and sub-queue is one put group. */
function planFrames(records: StoreRecord[]): FramePlan[] {
  const plans: FramePlan[] = []
  let group: PutGroup | undefined
  for (const record of records) {
    if (record.type !== 'message-put') {
      group = undefined
      plans.push(planFrame(record))
      continue
    }
    if (!group || group.queue !== record.queue || group.subQueue !== record.subQueue || group.payloadBytes >= GROUP_MAX_BODY_BYTES) {
      group = {
        queue: record.queue,
        subQueue: record.subQueue,
        messages: [],
        payloads: [],
        tableBytes: stringBytes(record.queue) + 5,
        payloadBytes: 0,
      }
      plans.push({json: '', jsonBytes: 0, group, bytes: 0})
    }
    const payload = bodyOf(record.message)
    group.messages.push(record.message)
    group.payloads.push(payload)
    group.tableBytes += entryBytes(record.message)
    group.payloadBytes += payload.length
  }
  for (const plan of plans)
    if (plan.group) plan.bytes = FRAME_HEADER_BYTES + JSON_LENGTH_BYTES + plan.group.tableBytes + plan.group.payloadBytes
  return plans
}

/** Writes a planned frame at `at` in `target`; a body's place is `base` plus its offset in `target`. */
function writeFrame(plan: FramePlan, target: Buffer, at: number, magic: Buffer, bodies: BodyPlacement[] | undefined, base: number): void {
  const bodyLength = plan.bytes - FRAME_HEADER_BYTES
  const payloadAt = at + FRAME_HEADER_BYTES + JSON_LENGTH_BYTES + plan.jsonBytes
  target.writeUInt32BE(magic.readUInt32BE(0), at)
  target.writeUInt32BE(bodyLength, at + 4)
  if (plan.group) writeGroup(plan.group, target, at + FRAME_HEADER_BYTES, bodies, base)
  else {
    target.writeUInt32BE(plan.jsonBytes, at + FRAME_HEADER_BYTES)
    target.write(plan.json, at + FRAME_HEADER_BYTES + JSON_LENGTH_BYTES, plan.jsonBytes, 'utf8')
  }
  if (plan.inner) {
    let offset = payloadAt
    for (const inner of plan.inner) {
      writeFrame(inner, target, offset, NESTED_MAGIC, bodies, base)
      offset += inner.bytes
    }
  } else if (plan.message && plan.payload) {
    plan.payload.copy(target, payloadAt)
    bodies?.push({message: plan.message, inMemory: bodyInMemory(plan.message), at: base + payloadAt})
  }
  target.writeUInt32BE(bodyCrc(target, at, bodyLength), at + 8)
  target.writeUInt32BE(crc32(target.subarray(at, at + 12)), at + 12)
}

/** A put group's frame body at `at`: its table, then its bodies. */
function writeGroup(group: PutGroup, target: Buffer, at: number, bodies: BodyPlacement[] | undefined, base: number): void {
  target.writeUInt32BE(GROUP_TAG + group.tableBytes, at)
  let entryAt = writeString(target, at + JSON_LENGTH_BYTES, group.queue)
  target[entryAt] = SUB_QUEUE_CODES[group.subQueue]
  entryAt = target.writeUInt32LE(group.messages.length, entryAt + 1)
  const firstBody = at + JSON_LENGTH_BYTES + group.tableBytes
  let bodyAt = 0
  for (let i = 0; i < group.messages.length; i++) {
    const message = group.messages[i]
    const payload = group.payloads[i]
    entryAt = writeEntry(target, entryAt, message, bodyAt, payload.length)
    payload.copy(target, firstBody + bodyAt)
    bodies?.push({message, inMemory: bodyInMemory(message), at: base + firstBody + bodyAt})
    bodyAt += payload.length
  }
}

/**
 * The frames of records one after another, in buffers of at most WRITE_BUFFER_BYTES (or one frame
 * each, when bigger): an append. `bodies`, when given, gets each message body the frames hold and
 * its offset (from the first buffer's start, plus `base`): the durable store parks bodies there
 * once they are durable.
 */
export function encodeRecords(records: StoreRecord[], bodies?: BodyPlacement[], base = 0): Buffer[] {
  const buffers: Buffer[] = []
  const plans = planFrames(records)
  let offset = base
  for (let first = 0; first < plans.length;) {
    let last = first
    let bytes = plans[first].bytes
    while (last + 1 < plans.length && bytes + plans[last + 1].bytes <= WRITE_BUFFER_BYTES) bytes += plans[++last].bytes
    const buffer = Buffer.allocUnsafe(bytes)
    let at = 0
    for (let i = first; i <= last; i++) {
      writeFrame(plans[i], buffer, at, FRAME_MAGIC, bodies, offset)
      at += plans[i].bytes
    }
    buffers.push(buffer)
    offset += bytes
    first = last + 1
  }
  return buffers
}

/** The body length a frame header at `offset` announces, or undefined when the header is not intact. */
export function headerAt(data: Buffer, offset: number, magic: Buffer = FRAME_MAGIC): number | undefined {
  if (offset + FRAME_HEADER_BYTES > data.length) return undefined
  if (data.compare(magic, 0, 4, offset, offset + 4) !== 0) return undefined
  if (crc32(data.subarray(offset, offset + 12)) !== data.readUInt32BE(offset + 12)) return undefined
  const bodyLength = data.readUInt32BE(offset + 4)
  return bodyLength >= JSON_LENGTH_BYTES && bodyLength <= MAX_BODY_BYTES ? bodyLength : undefined
}

/**
 * The record of a whole frame at `offset` (header known intact), or undefined if its body is
 * damaged. `place`: where the frame is in the log file, so its message bodies stay there.
 */
export function recordAt(data: Buffer, offset: number, bodyLength: number, place?: FramePlace): StoreRecord | undefined {
  if (bodyCrc(data, offset, bodyLength) !== data.readUInt32BE(offset + 8)) return undefined
  const bodyPlace = place && {log: place.log, at: place.at + FRAME_HEADER_BYTES}
  return parseBody(data.subarray(offset + FRAME_HEADER_BYTES, offset + FRAME_HEADER_BYTES + bodyLength), bodyPlace)
}

/** Format 1: the body length at `offset`, or undefined when fewer than 8 bytes are left. */
export function legacyHeaderAt(data: Buffer, offset: number): number | undefined {
  return offset + LEGACY_HEADER_BYTES > data.length ? undefined : data.readUInt32BE(offset)
}

/** Format 1: the record of a whole frame, or undefined if it fails its check. */
export function legacyRecordAt(data: Buffer, offset: number, bodyLength: number): StoreRecord | undefined {
  if (bodyLength < JSON_LENGTH_BYTES) return undefined
  const body = data.subarray(offset + LEGACY_HEADER_BYTES, offset + LEGACY_HEADER_BYTES + bodyLength)
  if (crc32(body) !== data.readUInt32BE(offset + 4)) return undefined
  return parseBody(body)
}

/** `place`: where `body` starts in the log file (format 2), or undefined to keep the bodies in memory. */
function parseBody(body: Buffer, place?: FramePlace): StoreRecord | undefined {
  const head = body.readUInt32BE(0)
  if (head >= GROUP_TAG) return parseGroup(body, head - GROUP_TAG, place)
  const jsonLength = head
  if (JSON_LENGTH_BYTES + jsonLength > body.length) return undefined
  let record: StoreRecord
  try {
    record = JSON.parse(body.toString('utf8', JSON_LENGTH_BYTES, JSON_LENGTH_BYTES + jsonLength)) as StoreRecord
  } catch {
    return undefined
  }
  if (!record || typeof record !== 'object' || typeof record.type !== 'string') return undefined
  if (record.type === 'batch') {
    const at = JSON_LENGTH_BYTES + jsonLength
    const records = nestedRecords(body.subarray(at), place && {log: place.log, at: place.at + at})
    if (!records) return undefined
    record.records = records
    return record
  }
  const message = messageOf(record)
  if (!message) return record
  const payloadAt = JSON_LENGTH_BYTES + jsonLength
  const {payload: _none, ...fields} = message as StoredMessage & {payload?: unknown}
  let queued
  if (place) {
    // The body stays in the log: only its place is kept.
    queued = queuedMessage(fields, undefined, body.length - payloadAt)
    queued.park(place.log, place.at + payloadAt, undefined, false)
  } else {
    // A copy, so the live payloads do not pin the file's read buffers in memory.
    queued = queuedMessage(fields, copyPayload(body.subarray(payloadAt)))
  }
  ;(record as {message: StoredMessage}).message = queued
  return record
}

/** A put group's body as a batch of message-put records; undefined when its table does not add up. */
function parseGroup(body: Buffer, tableBytes: number, place?: FramePlace): StoreRecord | undefined {
  const firstBody = JSON_LENGTH_BYTES + tableBytes
  if (firstBody > body.length) return undefined
  const records: StoreRecord[] = []
  try {
    const [queue, subQueueAt] = readString(body, JSON_LENGTH_BYTES)
    const subQueue = SUB_QUEUES[body[subQueueAt]]
    const count = body.readUInt32LE(subQueueAt + 1)
    if (subQueue === undefined) return undefined
    let at = subQueueAt + 5
    for (let i = 0; i < count; i++) {
      const entry = readEntry(body, at)
      at = entry.end
      const start = firstBody + entry.bodyAt
      const end = start + entry.message.payloadBytes
      if (at > firstBody || !(entry.bodyAt >= 0) || end > body.length) return undefined
      let message = entry.message
      // As in a JSON record: the body stays in the log, or a copy of it is kept in memory.
      if (place) message.park(place.log, place.at + start, undefined, false)
      else message = queuedMessage(plainFields(message), copyPayload(body.subarray(start, end)))
      records.push({type: 'message-put', queue, subQueue, message})
    }
    if (at !== firstBody) return undefined
  } catch {
    // An entry or string running past the table.
    return undefined
  }
  return {type: 'batch', records}
}

/** The records of a batch frame's payload; undefined if any is damaged or the payload has leftovers. */
function nestedRecords(payload: Buffer, place?: FramePlace): StoreRecord[] | undefined {
  const records: StoreRecord[] = []
  let offset = 0
  while (offset < payload.length) {
    const bodyLength = headerAt(payload, offset, NESTED_MAGIC)
    if (bodyLength === undefined || offset + FRAME_HEADER_BYTES + bodyLength > payload.length) return undefined
    const record = recordAt(payload, offset, bodyLength, place && {log: place.log, at: place.at + offset})
    if (!record) return undefined
    records.push(record)
    offset += FRAME_HEADER_BYTES + bodyLength
  }
  return records
}
