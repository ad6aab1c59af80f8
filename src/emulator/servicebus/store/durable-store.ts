// The durable store: one append-only log file with group commit. Records appended while a write
// and fdatasync are under way are written together by the next one, so concurrent sends share
// one fsync. On open the log is replayed (a torn tail is cut off); when the log grows much bigger
// than the live data it is compacted into a new file that replaces the old one atomically.
import {closeSync, fsyncSync, openSync} from 'node:fs'
import {mkdir, open, rename, type FileHandle} from 'node:fs/promises'
import {join} from 'node:path'

import {STORE} from '../constants.js'
import type {EmulatorLogger} from '../logger.js'
import {DataDirLock} from './data-dir-lock.js'
import {decodeFrames, encodeRecord} from './log-codec.js'
import type {MessageStore, StoreRecord, StoreSnapshot, StoreStats} from './message-store.js'
import {StoreIndex} from './store-index.js'

export interface DurableStoreOptions {
  dir: string
  logger: EmulatorLogger
  /** Compact when the log exceeds this many bytes (and twice the live data). */
  compactMinBytes?: number
}

interface PendingWrite {
  frames: Buffer[]
  bytes: number
  resolve: () => void
  reject: (error: Error) => void
}

const COMPACTION_CHUNK_BYTES = 4 * 1024 * 1024
const REPLAY_CHUNK_BYTES = 1024 * 1024

export class DurableStore implements MessageStore {
  readonly durable = true
  private readonly index = new StoreIndex()
  private readonly logPath: string
  private readonly lock: DataDirLock
  private handle?: FileHandle
  private pending: PendingWrite[] = []
  private writing?: Promise<void>
  private failure?: Error
  private closed = false
  private logBytes = 0
  private counters = {records: 0, commits: 0, compactions: 0}
  /** The log's size after the last compaction (0 before any). */
  private compactedBytes = 0

  constructor(private readonly options: DurableStoreOptions) {
    this.logPath = join(options.dir, STORE.logFileName)
    this.lock = new DataDirLock(join(options.dir, STORE.lockFileName))
  }

  async open(): Promise<StoreSnapshot> {
    await mkdir(this.options.dir, {recursive: true, mode: 0o700})
    this.lock.acquire()
    this.handle = await open(this.logPath, 'a+', 0o600)
    const {records, validBytes, fileBytes} = await this.replay(this.handle)
    if (validBytes < fileBytes) {
      this.options.logger.warn(`store: cut a torn tail of ${fileBytes - validBytes} bytes off ${this.logPath}`)
      await this.handle.truncate(validBytes)
      await this.handle.datasync()
    }
    if (fileBytes === 0) syncDirectory(this.options.dir)
    this.logBytes = validBytes
    this.options.logger.info(`store: replayed ${records} records (${validBytes} bytes) from ${this.logPath}`)
    return this.index.snapshot()
  }

  /** Reads the log in chunks, applying each whole record to the index. */
  private async replay(handle: FileHandle): Promise<{records: number; validBytes: number; fileBytes: number}> {
    const {size: fileBytes} = await handle.stat()
    let position = 0
    let pending: Buffer = Buffer.alloc(0)
    let validBytes = 0
    let records = 0
    while (position < fileBytes) {
      const chunk = Buffer.allocUnsafe(Math.min(REPLAY_CHUNK_BYTES, fileBytes - position))
      const {bytesRead} = await handle.read(chunk, 0, chunk.length, position)
      if (bytesRead === 0) break
      position += bytesRead
      const data = pending.length === 0 ? chunk.subarray(0, bytesRead) : Buffer.concat([pending, chunk.subarray(0, bytesRead)])
      const decoded = decodeFrames(data)
      for (const record of decoded.records) this.index.apply(record)
      records += decoded.records.length
      validBytes += decoded.consumed
      if (decoded.corrupt) return {records, validBytes, fileBytes}
      pending = Buffer.from(data.subarray(decoded.consumed))
    }
    return {records, validBytes, fileBytes}
  }

  append(records: StoreRecord[]): Promise<void> {
    if (this.failure) return Promise.reject(this.failure)
    if (this.closed || !this.handle) return Promise.reject(new Error('the store is closed'))
    const frames = records.map(record => encodeRecord(record))
    for (const record of records) this.index.apply(record)
    this.counters.records += records.length
    return new Promise((resolve, reject) => {
      this.pending.push({frames, bytes: frames.reduce((sum, frame) => sum + frame.length, 0), resolve, reject})
      this.writing ??= this.writeLoop()
    })
  }

  stats(): StoreStats {
    return {durable: true, logBytes: this.logBytes, ...this.counters}
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.writing
    await this.handle?.close()
    this.handle = undefined
    this.lock.release()
  }

  private async writeLoop(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const group = this.pending
        this.pending = []
        try {
          await this.writeAll(group.flatMap(write => write.frames))
          await this.handle!.datasync()
          this.counters.commits++
          for (const write of group) write.resolve()
        } catch (error) {
          this.failure = error as Error
          this.options.logger.error(`store: write failed, refusing further writes: ${(error as Error).message}`)
          for (const write of [...group, ...this.pending]) write.reject(this.failure)
          this.pending = []
          return
        }
        if (this.pending.length === 0 && this.shouldCompact()) await this.compact()
      }
    } finally {
      this.writing = undefined
    }
  }

  private async writeAll(frames: Buffer[]): Promise<void> {
    const data = frames.length === 1 ? frames[0] : Buffer.concat(frames)
    let offset = 0
    while (offset < data.length) {
      const {bytesWritten} = await this.handle!.write(data, offset, data.length - offset)
      offset += bytesWritten
    }
    this.logBytes += data.length
  }

  private shouldCompact(): boolean {
    const minBytes = this.options.compactMinBytes ?? STORE.compactMinBytes
    // Against the last compacted size too: live data whose frames are mostly metadata (small
    // messages) is more than twice its payload bytes, and would otherwise compact on every write.
    const live = Math.max(this.index.liveBytes, this.compactedBytes)
    return !this.closed && this.logBytes > minBytes && this.logBytes > STORE.compactLiveRatio * live
  }

  /** Rewrites the live records into a new file and swaps it in; appends made meanwhile follow it. */
  private async compact(): Promise<void> {
    const started = Date.now()
    const before = this.logBytes
    const records = [...this.index.records()]
    const temporaryPath = `${this.logPath}.compact`
    const temporary = await open(temporaryPath, 'w', 0o600)
    let bytes = 0
    try {
      let chunk: Buffer[] = []
      let chunkBytes = 0
      for (const record of records) {
        const frame = encodeRecord(record)
        chunk.push(frame)
        chunkBytes += frame.length
        if (chunkBytes >= COMPACTION_CHUNK_BYTES) {
          await temporary.write(Buffer.concat(chunk))
          bytes += chunkBytes
          chunk = []
          chunkBytes = 0
        }
      }
      if (chunkBytes > 0) await temporary.write(Buffer.concat(chunk))
      bytes += chunkBytes
      await temporary.datasync()
    } finally {
      await temporary.close()
    }
    await rename(temporaryPath, this.logPath)
    syncDirectory(this.options.dir)
    await this.handle!.close()
    this.handle = await open(this.logPath, 'a+', 0o600)
    this.logBytes = bytes
    this.compactedBytes = bytes
    this.counters.compactions++
    this.options.logger.info(`store: compacted ${before} -> ${bytes} bytes in ${Date.now() - started} ms`)
  }
}

/** fsync a directory so a new or renamed file's entry is durable. */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}
