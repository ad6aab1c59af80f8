// The on-disk framing of the durable store's append-only log (format 2). One frame per record:
//   magic (4) | u32 body length | u32 CRC-32 of (length bytes + body) | u32 CRC-32 of the 12 bytes before | body
//   body = u32 JSON length | JSON of the record (message payload left out) | payload bytes
// The magic marks where a frame starts, so replay can resync past damaged bytes to the next
// intact frame; the header CRC makes each candidate start cheap to check, the body CRC covers the
// length too, so a flipped length cannot pass as a shorter record.
// Format 1 (before frames had a start mark) was `u32 body length | u32 CRC-32 of body | body`;
// its files are still read (legacyFrameAt) and rewritten in format 2 on first open.
import {crc32} from 'node:zlib'

import type {StoredMessage} from '../broker/message.js'
import {copyPayload} from '../payload-arena.js'
import type {StoreRecord} from './message-store.js'
import {bodyInMemory, bodyToWrite, queuedMessage} from './queued-message.js'

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
  bytes: number
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
    inner = record.records.map(planFrame)
    for (const plan of inner) payloadBytes += plan.bytes
  } else if (message) {
    payload = bodyToWrite(message)
    // A message without a body would be written as an empty one: refuse instead (a copy made by spreading lost it).
    if (!Buffer.isBuffer(payload)) throw new Error(`message ${message.sequenceNumber} has no body to store`)
    payloadBytes = payload.length
  }
  return {json, jsonBytes, message, payload, inner, bytes: FRAME_HEADER_BYTES + JSON_LENGTH_BYTES + jsonBytes + payloadBytes}
}

/** Writes a planned frame at `at` in `target`; a body's place is `base` plus its offset in `target`. */
function writeFrame(plan: FramePlan, target: Buffer, at: number, magic: Buffer, bodies: BodyPlacement[] | undefined, base: number): void {
  const bodyLength = plan.bytes - FRAME_HEADER_BYTES
  const payloadAt = at + FRAME_HEADER_BYTES + JSON_LENGTH_BYTES + plan.jsonBytes
  target.writeUInt32BE(magic.readUInt32BE(0), at)
  target.writeUInt32BE(bodyLength, at + 4)
  target.writeUInt32BE(plan.jsonBytes, at + FRAME_HEADER_BYTES)
  target.write(plan.json, at + FRAME_HEADER_BYTES + JSON_LENGTH_BYTES, plan.jsonBytes, 'utf8')
  if (plan.inner) {
    let offset = payloadAt
    for (const inner of plan.inner) {
      writeFrame(inner, target, offset, NESTED_MAGIC, bodies, base)
      offset += inner.bytes
    }
  } else if (plan.message && plan.payload) {
    target.set(plan.payload, payloadAt)
    bodies?.push({message: plan.message, inMemory: bodyInMemory(plan.message), at: base + payloadAt})
  }
  target.writeUInt32BE(bodyCrc(target, at, bodyLength), at + 8)
  target.writeUInt32BE(crc32(target.subarray(at, at + 12)), at + 12)
}

/**
 * One record's frame. `bodies`, when given, gets each message body the frame holds and its offset
 * (from the frame's start, plus `base`): the durable store parks bodies there once it is durable.
 */
export function encodeRecord(record: StoreRecord, magic: Buffer = FRAME_MAGIC, bodies?: BodyPlacement[], base = 0): Buffer {
  const plan = planFrame(record)
  const frame = Buffer.allocUnsafe(plan.bytes)
  writeFrame(plan, frame, 0, magic, bodies, base)
  return frame
}

/** The frames of records one after another in one buffer (bodies' offsets from its start): an append. */
export function encodeRecords(records: StoreRecord[], bodies?: BodyPlacement[]): Buffer {
  const plans = records.map(planFrame)
  let bytes = 0
  for (const plan of plans) bytes += plan.bytes
  const frames = Buffer.allocUnsafe(bytes)
  let at = 0
  for (const plan of plans) {
    writeFrame(plan, frames, at, FRAME_MAGIC, bodies, 0)
    at += plan.bytes
  }
  return frames
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
  const jsonLength = body.readUInt32BE(0)
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
