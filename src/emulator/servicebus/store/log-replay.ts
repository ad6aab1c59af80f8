// Replaying the log: every intact frame is applied in order; damage inside the log is skipped by
// resyncing to the next intact frame (format 2: the next frame start whose header and body pass
// their CRCs; format 1: the next offset where two whole frames check out). Replay reads the file
// once through a sliding window, so it is linear in the log's size.
import type {FileHandle} from 'node:fs/promises'
import {crc32} from 'node:zlib'

import {StartRefusedError} from '../start-refused.js'
import {
  FRAME_HEADER_BYTES,
  FRAME_MAGIC,
  headerAt,
  LEGACY_HEADER_BYTES,
  legacyHeaderAt,
  legacyRecordAt,
  MAX_BODY_BYTES,
  recordAt,
} from './log-codec.js'
import type {StoreRecord} from './message-store.js'

const WINDOW_BYTES = 1024 * 1024

/** Damaged bytes between two intact frames. `records`: frame starts seen in them (at least 1). */
export interface DamagedSpan {
  start: number
  end: number
  records: number
}

export interface ReplayResult {
  format: 1 | 2
  records: number
  /** Damage with intact frames after it. */
  damaged: DamagedSpan[]
  /**
   * Bytes after the last intact frame that are not one: `torn` when they are an unfinished last
   * frame (or zeros, or shorter than a header) - a crash mid-write; otherwise the damage has no
   * bound and the records in it, if any, cannot be told apart.
   */
  tail?: {start: number; end: number; torn: boolean}
}

/** The log is damaged in a way replay cannot bound: the emulator refuses to start rather than cut it. */
export class LogDamagedError extends StartRefusedError {}

/** Reads the file through one buffer; a request inside it costs no read. */
class FileWindow {
  private buffer = Buffer.alloc(0)
  private start = 0

  constructor(
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  /** The buffer holding [offset, offset + length) (cut at the end of the file), and where offset is in it. */
  async at(offset: number, length: number): Promise<{data: Buffer; at: number; base: number}> {
    const end = Math.min(offset + length, this.size)
    if (offset < this.start || end > this.start + this.buffer.length) {
      const want = Math.max(end - offset, Math.min(WINDOW_BYTES, this.size - offset))
      const next = Buffer.allocUnsafe(want)
      let filled = offset >= this.start && offset < this.start + this.buffer.length ? this.buffer.copy(next, 0, offset - this.start) : 0
      while (filled < want) {
        const {bytesRead} = await this.handle.read(next, filled, want - filled, offset + filled)
        if (bytesRead === 0) break
        filled += bytesRead
      }
      this.buffer = next.subarray(0, filled)
      this.start = offset
    }
    return {data: this.buffer, at: offset - this.start, base: this.start}
  }
}

interface Frame {
  record: StoreRecord
  end: number
}

/** `log`: the body log the file is registered as (body-log.ts); its message bodies are left there. */
async function frameAt(window: FileWindow, offset: number, log?: number): Promise<Frame | undefined> {
  const head = await window.at(offset, FRAME_HEADER_BYTES)
  const bodyLength = headerAt(head.data, head.at)
  if (bodyLength === undefined) return undefined
  const end = offset + FRAME_HEADER_BYTES + bodyLength
  if (end > window.size) return undefined
  const whole = await window.at(offset, end - offset)
  const record = recordAt(whole.data, whole.at, bodyLength, log === undefined ? undefined : {log, at: offset})
  return record && {record, end}
}

async function legacyFrameAt(window: FileWindow, offset: number): Promise<Frame | undefined> {
  const head = await window.at(offset, LEGACY_HEADER_BYTES)
  const bodyLength = legacyHeaderAt(head.data, head.at)
  if (bodyLength === undefined || bodyLength > MAX_BODY_BYTES) return undefined
  const end = offset + LEGACY_HEADER_BYTES + bodyLength
  if (end > window.size) return undefined
  const whole = await window.at(offset, end - offset)
  const record = legacyRecordAt(whole.data, whole.at, bodyLength)
  return record && {record, end}
}

/** Format 2: the next intact frame at or after `from`, and how many broken frame starts came before it. */
async function resync(window: FileWindow, from: number): Promise<{offset?: number; brokenStarts: number}> {
  let brokenStarts = 0
  let position = from
  while (position < window.size) {
    const {data, at, base} = await window.at(position, WINDOW_BYTES)
    const index = data.indexOf(FRAME_MAGIC, at)
    if (index === -1) {
      if (base + data.length >= window.size) break
      position = base + data.length - (FRAME_MAGIC.length - 1)
      continue
    }
    const candidate = base + index
    if (await frameAt(window, candidate)) return {offset: candidate, brokenStarts}
    brokenStarts++
    position = candidate + 1
  }
  return {brokenStarts}
}

/** Format 1 has no frame start mark: the next offset where a whole frame, and the one after it (or the end), check out. */
async function legacyResync(window: FileWindow, from: number): Promise<number | undefined> {
  for (let offset = from; offset + LEGACY_HEADER_BYTES <= window.size; offset++) {
    const {data, at} = await window.at(offset, LEGACY_HEADER_BYTES)
    const bodyLength = data.readUInt32BE(at)
    // Most offsets announce a length past the end of the file: rejected without a read.
    if (bodyLength < 4 || offset + LEGACY_HEADER_BYTES + bodyLength > window.size) continue
    const frame = await legacyFrameAt(window, offset)
    if (!frame) continue
    if (frame.end === window.size || (await legacyFrameAt(window, frame.end))) return offset
  }
  return undefined
}

async function isTorn(window: FileWindow, offset: number, format: 1 | 2): Promise<boolean> {
  const remaining = window.size - offset
  const headerBytes = format === 2 ? FRAME_HEADER_BYTES : LEGACY_HEADER_BYTES
  if (remaining < headerBytes) return true
  const {data, at} = await window.at(offset, headerBytes)
  const bodyLength = format === 2 ? headerAt(data, at) : undefined
  if (bodyLength !== undefined && offset + FRAME_HEADER_BYTES + bodyLength > window.size) return true
  // Format 1: a last frame whose length runs past the end of the file (nothing intact follows it).
  if (format === 1 && offset + LEGACY_HEADER_BYTES + data.readUInt32BE(at) > window.size) return true
  for (let position = offset; position < window.size; position += WINDOW_BYTES) {
    const chunk = await window.at(position, WINDOW_BYTES)
    const end = Math.min(chunk.at + WINDOW_BYTES, chunk.data.length)
    for (let i = chunk.at; i < end; i++) if (chunk.data[i] !== 0) return false
  }
  return true
}

/** An intact header whose frame ends exactly at the end of the file: the damage is that one record. */
async function endsAtFileEnd(window: FileWindow, offset: number): Promise<boolean> {
  const {data, at} = await window.at(offset, FRAME_HEADER_BYTES)
  const bodyLength = headerAt(data, at)
  return bodyLength !== undefined && offset + FRAME_HEADER_BYTES + bodyLength === window.size
}

/** Format 2 unless the file starts like a format 1 log (an empty file is format 2). */
async function formatOf(window: FileWindow): Promise<1 | 2> {
  if (window.size === 0) return 2
  const {data, at} = await window.at(0, FRAME_MAGIC.length)
  return data.length - at >= FRAME_MAGIC.length && data.compare(FRAME_MAGIC, 0, 4, at, at + 4) === 0 ? 2 : 1
}

/**
 * The CRC-32 of the file's bytes [from, to), continuing `initial` (the CRC of the bytes before).
 * Two buffers: the next read is under way while the CRC of the last one is computed.
 */
export async function crcOfFile(handle: FileHandle, from: number, to: number, initial = 0): Promise<number> {
  const size = Math.min(4 * WINDOW_BYTES, Math.max(to - from, 1))
  const buffers = [Buffer.allocUnsafeSlow(size), Buffer.allocUnsafeSlow(size)]
  const readAt = (position: number, buffer: Buffer) => handle.read(buffer, 0, Math.min(size, to - position), position)
  let crc = initial
  let position = from
  let turn = 0
  let next = position < to ? readAt(position, buffers[turn]) : undefined
  while (next) {
    const {bytesRead, buffer} = await next
    if (bytesRead === 0) throw new Error(`the file ends at ${position}, before ${to}`)
    position += bytesRead
    turn ^= 1
    next = position < to ? readAt(position, buffers[turn]) : undefined
    crc = crc32(buffer.subarray(0, bytesRead), crc)
  }
  return crc
}

/**
 * `log`: the number the file is registered under as a body log; its bodies are then not kept in
 * memory. `from`: where to start (the end of what the index file covers; a frame boundary).
 */
export async function replayLog(handle: FileHandle, apply: (record: StoreRecord) => void, log?: number, from = 0): Promise<ReplayResult> {
  const {size} = await handle.stat()
  const window = new FileWindow(handle, size)
  const format = await formatOf(window)
  const result: ReplayResult = {format, records: 0, damaged: []}
  let position = from
  while (position < size) {
    const frame = format === 2 ? await frameAt(window, position, log) : await legacyFrameAt(window, position)
    if (frame) {
      apply(frame.record)
      result.records++
      position = frame.end
      continue
    }
    let next: number | undefined
    let records = 1
    if (format === 2) {
      const found = await resync(window, position + 1)
      next = found.offset
      records += found.brokenStarts
    } else next = await legacyResync(window, position + 1)
    if (next === undefined && format === 2 && (await endsAtFileEnd(window, position))) next = size
    if (next === undefined) {
      result.tail = {start: position, end: size, torn: await isTorn(window, position, format)}
      break
    }
    result.damaged.push({start: position, end: next, records})
    position = next
  }
  return result
}
