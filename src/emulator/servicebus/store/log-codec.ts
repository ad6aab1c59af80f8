// The on-disk framing of the durable store's append-only log. One frame per record:
//   u32 body length | u32 CRC-32 of the body | body
//   body = u32 JSON length | JSON of the record (message payload left out) | payload bytes
// A torn or corrupt frame at the end (a crash mid-write) is detected by length and CRC; replay
// stops there and the file is truncated to the last whole frame.
import {crc32} from 'node:zlib'

import type {StoredMessage} from '../broker/message.js'
import {copyPayload} from '../payload-arena.js'
import type {StoreRecord} from './message-store.js'

const FRAME_HEADER_BYTES = 8
const JSON_LENGTH_BYTES = 4

function messageOf(record: StoreRecord): StoredMessage | undefined {
  return record.type === 'message-put' || record.type === 'message-move' ? record.message : undefined
}

/** The record as JSON, the payload left out (stringify must not see the Buffer: toJSON is slow). */
function recordJson(record: StoreRecord): string {
  if (record.type !== 'message-put' && record.type !== 'message-move') return JSON.stringify(record)
  const {payload: _payload, ...meta} = record.message
  return JSON.stringify({...record, message: meta})
}

export function encodeRecord(record: StoreRecord): Buffer {
  const message = messageOf(record)
  // A batch is one frame whose payload is its records' frames: a torn batch is dropped whole.
  const batch = record.type === 'batch' ? Buffer.concat(record.records.map(encodeRecord)) : undefined
  const json = Buffer.from(batch ? '{"type":"batch"}' : recordJson(record), 'utf8')
  const payload = batch ?? message?.payload
  const bodyLength = JSON_LENGTH_BYTES + json.length + (payload?.length ?? 0)
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + bodyLength)
  frame.writeUInt32BE(bodyLength, 0)
  frame.writeUInt32BE(json.length, FRAME_HEADER_BYTES)
  json.copy(frame, FRAME_HEADER_BYTES + JSON_LENGTH_BYTES)
  payload?.copy(frame, FRAME_HEADER_BYTES + JSON_LENGTH_BYTES + json.length)
  frame.writeUInt32BE(crc32(frame.subarray(FRAME_HEADER_BYTES)), 4)
  return frame
}

export interface DecodedFrames {
  records: StoreRecord[]
  /** Bytes of whole, valid frames from the start of the buffer. */
  consumed: number
  /** A whole frame failed its CRC or did not parse: nothing after it can be trusted. */
  corrupt: boolean
}

/** Decodes the whole frames at the start of `data`; an incomplete last frame is left unconsumed. */
export function decodeFrames(data: Buffer): DecodedFrames {
  const records: StoreRecord[] = []
  let offset = 0
  while (offset + FRAME_HEADER_BYTES <= data.length) {
    const bodyLength = data.readUInt32BE(offset)
    if (bodyLength < JSON_LENGTH_BYTES) return {records, consumed: offset, corrupt: true}
    const end = offset + FRAME_HEADER_BYTES + bodyLength
    if (end > data.length) break
    const body = data.subarray(offset + FRAME_HEADER_BYTES, end)
    if (crc32(body) !== data.readUInt32BE(offset + 4)) return {records, consumed: offset, corrupt: true}
    const jsonLength = body.readUInt32BE(0)
    if (JSON_LENGTH_BYTES + jsonLength > body.length) return {records, consumed: offset, corrupt: true}
    let record: StoreRecord
    try {
      record = JSON.parse(body.toString('utf8', JSON_LENGTH_BYTES, JSON_LENGTH_BYTES + jsonLength)) as StoreRecord
    } catch {
      return {records, consumed: offset, corrupt: true}
    }
    if (record.type === 'batch') {
      const inner = decodeFrames(body.subarray(JSON_LENGTH_BYTES + jsonLength))
      if (inner.corrupt || inner.consumed !== body.length - JSON_LENGTH_BYTES - jsonLength) return {records, consumed: offset, corrupt: true}
      record.records = inner.records
    }
    const message = messageOf(record)
    // A copy, so the live payloads do not pin the file's read buffers in memory.
    if (message) message.payload = copyPayload(body.subarray(JSON_LENGTH_BYTES + jsonLength))
    records.push(record)
    offset = end
  }
  return {records, consumed: offset, corrupt: false}
}
