// The index file (issue 24): what is live in the first `logBytes` bytes of the log, written at a
// clean close and after each compaction, so a restart loads it instead of parsing every record
// and only replays the log's tail after it. Messages are stored without their bodies (those stay
// in the log): their fields and the place of their body, in a compact binary table.
//   file  = magic 'QJI1' (4) | u32 CRC-32 of the rest | u32 header length | header JSON | message table
//   header = {logBytes, logCrc, records (everything but messages), groups: [[entity, subQueue, count]]}
//   message table = one entry (message-entry.ts) a message, the body offset its place in the log
// The index is trusted only if the log's first `logBytes` bytes still have the CRC-32 it names
// (durable-store.ts checks it), so any change to the log since (damage included) makes the
// restart fall back to a full replay, which finds and handles damage as before.
import {closeSync, fsyncSync, openSync} from 'node:fs'
import {open, readFile, rename, rm, type FileHandle} from 'node:fs/promises'
import {crc32} from 'node:zlib'

import type {StoredMessage} from '../broker/message.js'
import type {EmulatorLogger} from '../logger.js'
import {crcOfFile} from './log-replay.js'
import type {StoreRecord, SubQueue} from './message-store.js'
import {entryBytes, readEntry, writeEntry} from './message-entry.js'
import {QueuedMessage} from './queued-message.js'
import {StoreIndex} from './store-index.js'

const MAGIC = Buffer.from('QJI1', 'latin1')
const CHUNK_BYTES = 1024 * 1024

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

  u32(value: number): void {
    this.buffer.writeUInt32LE(value, this.used)
    this.used += 4
  }

  /** A message's entry (room for it made): its body's place in the log is the one it has now. */
  entry(message: StoredMessage): void {
    const [, at] = (message as QueuedMessage).bodyPlace!
    this.used = writeEntry(this.buffer, this.used, message, at, (message as QueuedMessage).payloadBytes)
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
      await writer.room(entryBytes(message))
      writer.entry(message)
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
      let at = start
      let read = 0
      for (const [queue, subQueue, count] of header.groups) {
        const add = restore(queue, subQueue)
        for (let i = 0; i < count; i++) {
          const {message, bodyAt, end} = readEntry(data, at)
          at = end
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
