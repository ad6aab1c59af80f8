// The index file (issue 24): what is live in the first `logBytes` bytes of the log, written at a
// clean close and after each compaction, so a restart loads it instead of parsing every record
// and only replays the log's tail after it. Messages are stored without their bodies (those stay
// in the log): their fields and the place of their body, in a compact binary table.
//   file  = magic 'QJI1' (4) | u32 CRC-32 of the rest | u32 header length | header JSON | message table
//   header = {logBytes, logCrc, records (everything but messages), groups: [[entity, subQueue, count]]}
//   entry = f64 sequence | f64 enqueued | f64 body offset | u32 body bytes | u32 delivery count |
//           u8 state | u8 flags (optional fields present) | f64 per optional number | string fields
//   string = u32 byte length | UTF-8
// The index is trusted only if the log's first `logBytes` bytes still have the CRC-32 it names
// (durable-store.ts checks it), so any change to the log since (damage included) makes the
// restart fall back to a full replay, which finds and handles damage as before.
import {closeSync, fsyncSync, openSync} from 'node:fs'
import {open, readFile, rename, rm, type FileHandle} from 'node:fs/promises'
import {crc32} from 'node:zlib'

import {MESSAGE_STATE_CODES, type MessageState, type StoredMessage} from '../broker/message.js'
import type {EmulatorLogger} from '../logger.js'
import {crcOfFile} from './log-replay.js'
import type {StoreRecord, SubQueue} from './message-store.js'
import {OPTIONAL_NUMBER_FIELDS as NUMBER_FIELDS, OPTIONAL_STRING_FIELDS as STRING_FIELDS, QueuedMessage} from './queued-message.js'
import {StoreIndex} from './store-index.js'

const MAGIC = Buffer.from('QJI1', 'latin1')
const CHUNK_BYTES = 1024 * 1024
const STATES = Object.fromEntries(Object.entries(MESSAGE_STATE_CODES).map(([state, code]) => [code, state])) as Record<number, MessageState>

export interface CheckpointHeader {
  logBytes: number
  logCrc: number
  records: StoreRecord[]
  groups: Array<[string, SubQueue, number]>
}

/** Writes into a file in chunks, keeping the CRC of what was written. */
class ChunkWriter {
  private buffer = Buffer.allocUnsafeSlow(CHUNK_BYTES)
  private used = 0
  crc = 0
  position = 0

  constructor(private readonly handle: FileHandle) {}

  async room(bytes: number): Promise<void> {
    if (this.used + bytes <= this.buffer.length) return
    await this.flush()
    if (bytes > this.buffer.length) this.buffer = Buffer.allocUnsafeSlow(bytes)
  }

  async flush(): Promise<void> {
    const data = this.buffer.subarray(0, this.used)
    this.crc = crc32(data, this.crc)
    let done = 0
    while (done < data.length) done += (await this.handle.write(data, done, data.length - done, this.position + done)).bytesWritten
    this.position += data.length
    this.used = 0
  }

  async bytes(data: Buffer): Promise<void> {
    await this.room(data.length)
    data.copy(this.buffer, this.used)
    this.used += data.length
  }

  double(value: number): void {
    this.buffer.writeDoubleLE(value, this.used)
    this.used += 8
  }

  u32(value: number): void {
    this.buffer.writeUInt32LE(value, this.used)
    this.used += 4
  }

  u8(value: number): void {
    this.buffer[this.used++] = value
  }

  string(value: string): void {
    const length = this.buffer.write(value, this.used + 4, 'utf8')
    this.buffer.writeUInt32LE(length, this.used)
    this.used += 4 + length
  }
}

/**
 * Writes the index file (atomically: a temp file, fsync, rename, fsync of the directory). Returns
 * false, writing nothing, when a message's body is not at a known place in log `log`.
 */
export async function writeCheckpoint(
  path: string,
  dir: string,
  records: Iterable<StoreRecord>,
  log: number,
  logBytes: number,
  logCrc: number,
): Promise<boolean> {
  const others: StoreRecord[] = []
  const groups: Array<[string, SubQueue, number]> = []
  const messages: StoredMessage[] = []
  for (const record of records) {
    if (record.type !== 'message-put') {
      others.push(record)
      continue
    }
    const place = record.message instanceof QueuedMessage ? record.message.bodyPlace : undefined
    if (!place || place[0] !== log) return false
    const last = groups.at(-1)
    if (last && last[0] === record.queue && last[1] === record.subQueue) last[2]++
    else groups.push([record.queue, record.subQueue, 1])
    messages.push(record.message)
  }
  const temporary = `${path}.tmp`
  const handle = await open(temporary, 'w', 0o600)
  try {
    const writer = new ChunkWriter(handle)
    writer.position = 8
    const header = Buffer.from(JSON.stringify({logBytes, logCrc, records: others, groups} satisfies CheckpointHeader), 'utf8')
    await writer.room(4)
    writer.u32(header.length)
    await writer.bytes(header)
    for (const message of messages) {
      const strings = [message.messageId, ...STRING_FIELDS.map(field => message[field] ?? '')]
      let size = 8 * 6 + 10
      for (const value of strings) size += 4 + Buffer.byteLength(value, 'utf8')
      await writer.room(size)
      const [, at] = (message as QueuedMessage).bodyPlace!
      writer.double(message.sequenceNumber)
      writer.double(message.enqueuedTimeUtc)
      writer.double(at)
      writer.u32((message as QueuedMessage).payloadBytes)
      writer.u32(message.deliveryCount)
      writer.u8(MESSAGE_STATE_CODES[message.state])
      let flags = 0
      NUMBER_FIELDS.forEach((field, bit) => message[field] !== undefined && (flags |= 1 << bit))
      STRING_FIELDS.forEach((field, bit) => message[field] !== undefined && (flags |= 1 << (bit + 3)))
      writer.u8(flags)
      for (const field of NUMBER_FIELDS) if (message[field] !== undefined) writer.double(message[field]!)
      writer.string(message.messageId)
      for (const field of STRING_FIELDS) if (message[field] !== undefined) writer.string(message[field]!)
    }
    await writer.flush()
    const head = Buffer.alloc(8)
    MAGIC.copy(head, 0)
    head.writeUInt32LE(writer.crc, 4)
    await handle.write(head, 0, 8, 0)
    await handle.datasync()
  } catch (error) {
    await handle.close()
    await rm(temporary, {force: true})
    throw error
  }
  await handle.close()
  await rename(temporary, path)
  syncDirectory(dir)
  return true
}

export interface Checkpoint extends CheckpointHeader {
  /**
   * Reads the messages, with bodies parked in log `log`: each group's `restore` gets its messages
   * in order. Awaits `pause()` now and then (a million messages take seconds to read).
   */
  readMessages(
    log: number,
    restore: (queue: string, subQueue: SubQueue) => (message: QueuedMessage) => void,
    pause: () => Promise<void>,
  ): Promise<number>
}

// Often enough that the CRC pass (4 MB reads, done between) keeps pace with the parse.
const PAUSE_EVERY = 1024

/** The index file, or undefined when there is none or it is damaged (then the log is replayed whole). */
export async function readCheckpoint(path: string): Promise<Checkpoint | undefined> {
  let data: Buffer
  try {
    data = await readFile(path)
  } catch {
    return undefined
  }
  if (data.length < 12 || data.compare(MAGIC, 0, 4, 0, 4) !== 0) return undefined
  if (crc32(data.subarray(8)) !== data.readUInt32LE(4)) return undefined
  const headerLength = data.readUInt32LE(8)
  let header: CheckpointHeader
  try {
    header = JSON.parse(data.toString('utf8', 12, 12 + headerLength)) as CheckpointHeader
  } catch {
    return undefined
  }
  const start = 12 + headerLength
  return {
    ...header,
    async readMessages(log, restore, pause) {
      // A plain loop that builds each message in place: a million of them is the common case.
      let at = start
      let read = 0
      const string = () => {
        const length = data.readUInt32LE(at)
        const value = data.toString('utf8', at + 4, at + 4 + length)
        at += 4 + length
        return value
      }
      for (const [queue, subQueue, count] of header.groups) {
        const add = restore(queue, subQueue)
        for (let i = 0; i < count; i++) {
          const flags = data[at + 33]
          const message = new QueuedMessage(
            {
              sequenceNumber: data.readDoubleLE(at),
              enqueuedTimeUtc: data.readDoubleLE(at + 8),
              deliveryCount: data.readUInt32LE(at + 28),
              state: STATES[data[at + 32]],
              messageId: '',
            },
            undefined,
            data.readUInt32LE(at + 24),
          )
          const bodyAt = data.readDoubleLE(at + 16)
          at += 34
          if (flags & 0b111)
            NUMBER_FIELDS.forEach((field, bit) => {
              if (flags & (1 << bit)) {
                message[field] = data.readDoubleLE(at)
                at += 8
              }
            })
          message.messageId = string()
          if (flags & 0b111000)
            STRING_FIELDS.forEach((field, bit) => {
              if (flags & (1 << (bit + 3))) message[field] = string()
            })
          message.park(log, bodyAt, undefined, false)
          add(message)
          if (++read % PAUSE_EVERY === 0) await pause()
        }
      }
      if (at !== data.length) throw new Error(`the index file ${path} has ${data.length - at} bytes left over`)
      return read
    },
  }
}

/**
 * The index the index file describes, when it still describes the log (the CRC of the log's first
 * `logBytes` bytes matches; the CRC pass runs while the file is parsed): where replay goes on,
 * and that CRC. Else undefined.
 */
export async function loadCheckpoint(
  path: string,
  handle: FileHandle,
  fileBytes: number,
  log: number,
  logger: EmulatorLogger,
): Promise<{index: StoreIndex; from: number; crc: number; messages: number} | undefined> {
  const checkpoint = await readCheckpoint(path)
  if (!checkpoint) return undefined
  const stale = () => logger.info(`store: the index file ${path} does not describe the log as it is; replaying the whole log`)
  if (checkpoint.logBytes > fileBytes) {
    stale()
    return undefined
  }
  const crc = crcOfFile(handle, 0, checkpoint.logBytes)
  const index = new StoreIndex()
  let messages = 0
  try {
    for (const record of checkpoint.records) index.apply(record)
    // Pauses let the CRC pass's reads complete meanwhile.
    messages = await checkpoint.readMessages(log, index.restorer(), () => new Promise(resolve => setImmediate(resolve)))
  } catch (error) {
    await crc.catch(() => {})
    logger.info(`store: the index file ${path} cannot be read (${(error as Error).message}); replaying the whole log`)
    return undefined
  }
  if ((await crc) !== checkpoint.logCrc) {
    stale()
    return undefined
  }
  return {index, from: checkpoint.logBytes, crc: checkpoint.logCrc, messages}
}

/** fsync a directory so a new or renamed file's entry is durable. */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}
