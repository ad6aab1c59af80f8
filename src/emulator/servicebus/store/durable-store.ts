// The durable store: one append-only log file with group commit. Records appended while a write
// and fdatasync are under way are written together by the next one, so concurrent sends share
// one fsync. On open the log is replayed (log-replay.ts): a torn tail is cut off, damage inside
// the log is skipped and its bytes moved to a quarantine file, damage with no bound refuses the
// start. When the log grows much bigger than the live data it is compacted into a new file that
// replaces the old one atomically. A full disk refuses the writes it hits (nothing is applied)
// and the store carries on by itself once space is free.
// Message bodies stay in the log (issue 24): once a record is durable its bodies are parked at
// their offsets in the file (queued-message.ts, body-log.ts) and read back when delivered or
// peeked, with the latest ones kept in a bounded cache of hot bodies. A compaction re-parks every
// live body at its place in the new file when it swaps the files.
// A restart does not parse every record: at a clean close and after each compaction the index
// file (checkpoint.ts) says what is live up to that point of the log; open checks that the log
// still starts with exactly those bytes (one CRC pass, no parsing), loads it and replays only the
// tail after it. Without a usable index file the whole log is replayed, as before.
import {mkdir, open, rename, rm, type FileHandle} from 'node:fs/promises'
import {join} from 'node:path'

import {BrokerError} from '../broker/broker-error.js'
import {STORE} from '../constants.js'
import type {EmulatorLogger} from '../logger.js'
import {DataDirLock} from './data-dir-lock.js'
import {bodyLogs, HotBodies} from './body-log.js'
import {encodeRecords, type BodyPlacement} from './log-codec.js'
import {crc32} from 'node:zlib'

import {loadCheckpoint, syncDirectory, writeCheckpoint} from './checkpoint.js'
import {crcOfFile, LogDamagedError, replayLog, type ReplayResult} from './log-replay.js'
import type {MessageStore, StoreRecord, StoreSnapshot, StoreStats} from './message-store.js'
import {payloadBytes, QueuedMessage} from './queued-message.js'
import {StoreIndex} from './store-index.js'

export interface DurableStoreOptions {
  dir: string
  logger: EmulatorLogger
  /** Compact when the log exceeds this many bytes (and twice the live data). */
  compactMinBytes?: number
  /** Bytes of message bodies kept in memory besides the log (hot bodies); the rest is read from the log. */
  hotBodyBytes?: number
}

interface PendingWrite {
  records: StoreRecord[]
  frames: Buffer[]
  /** The bodies in `frames`, at offsets from the first frame's start. */
  bodies: BodyPlacement[]
  resolve: () => void
  reject: (error: Error) => void
}

const COMPACTION_CHUNK_BYTES = 4 * 1024 * 1024
/** Compaction encodes the live records in runs of at most this many (or bodies of this many bytes). */
const COMPACTION_ENCODE_RECORDS = 1024
const COMPACTION_ENCODE_BYTES = 1024 * 1024
const COMPACTION_BACKOFF_MS = {first: 1000, max: 5 * 60_000}

/** What a client is told when the disk is full: Azure's quota condition, not an internal error. */
export function storageFullError(): BrokerError {
  return new BrokerError(
    'QuotaExceeded',
    "The namespace's storage is full: no space is left on the device that holds the emulator's data directory. Nothing was changed; retry once space is freed.",
  )
}

function isDiskFull(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException)?.code
  return code === 'ENOSPC' || code === 'EDQUOT'
}

export class DurableStore implements MessageStore {
  readonly durable = true
  private index = new StoreIndex()
  private readonly logPath: string
  private readonly lock: DataDirLock
  private handle?: FileHandle
  /** The number `handle` is registered under as a body log (0: none). */
  private log = 0
  private readonly hot: HotBodies
  private pending: PendingWrite[] = []
  private writing?: Promise<void>
  /** A failure the store cannot recover from (an I/O error other than a full disk). */
  private failure?: Error
  private diskFull = false
  private closed = false
  private logBytes = 0
  /** The CRC-32 of the log's first logBytes bytes (what the index file is checked against). */
  private logCrc = 0
  private readonly indexPath: string
  private compactionRetryAt = 0
  private compactionBackoffMs = 0
  private counters = {records: 0, commits: 0, compactions: 0, damagedRecords: 0, refusedWrites: 0}
  /** The log's size after the last compaction (0 before any). */
  private compactedBytes = 0

  constructor(private readonly options: DurableStoreOptions) {
    this.logPath = join(options.dir, STORE.logFileName)
    this.indexPath = join(options.dir, STORE.indexFileName)
    this.lock = new DataDirLock(join(options.dir, STORE.lockFileName))
    this.hot = new HotBodies(options.hotBodyBytes ?? STORE.hotBodyBytes)
  }

  async open(): Promise<StoreSnapshot> {
    await mkdir(this.options.dir, {recursive: true, mode: 0o700})
    this.lock.acquire()
    try {
      await this.openLog()
    } catch (error) {
      this.releaseBodies()
      await this.handle?.close()
      this.handle = undefined
      this.lock.release()
      throw error
    }
    return this.index.snapshot()
  }

  private async openLog(): Promise<void> {
    // A compaction cut short (crash, full disk) leaves its temp file; the log itself is whole.
    await rm(this.compactPath, {force: true})
    await rm(`${this.indexPath}.tmp`, {force: true})
    this.handle = await open(this.logPath, 'a+', 0o600)
    this.log = bodyLogs.register(this.handle.fd, this.hot, () => this.logBytes)
    const {size: fileBytes} = await this.handle.stat()
    const {logger} = this.options
    const checkpoint = await loadCheckpoint(this.indexPath, this.handle, fileBytes, this.log, logger)
    if (checkpoint) this.index = checkpoint.index
    const from = checkpoint?.from ?? 0
    const replay = await replayLog(this.handle, record => this.index.apply(record), this.log, from)
    if (replay.tail && !replay.tail.torn) throw this.unboundedDamage(replay, replay.tail)
    if (replay.damaged.length > 0) await this.quarantine(replay)
    if (replay.tail) {
      logger.warn(`store: cut a torn tail of ${replay.tail.end - replay.tail.start} bytes (an unfinished last record) off ${this.logPath}`)
      await this.handle.truncate(replay.tail.start)
      await this.handle.datasync()
    }
    this.logBytes = replay.tail?.start ?? fileBytes
    this.logCrc = await crcOfFile(this.handle, from, this.logBytes, checkpoint?.crc ?? 0)
    if (fileBytes === 0) syncDirectory(this.options.dir)
    if (checkpoint)
      logger.info(
        `store: loaded ${checkpoint.messages} messages from ${this.indexPath} (${from} bytes of the log) and replayed ${replay.records} records (${this.logBytes - from} bytes) after it`,
      )
    else logger.info(`store: replayed ${replay.records} records (${this.logBytes} bytes) from ${this.logPath}`)
    if (replay.format === 1) {
      logger.info(`store: ${this.logPath} is in the previous log format; rewriting it in the current one`)
      await this.compact()
    } else if (replay.damaged.length > 0) await this.compact()
  }

  /** Copies damaged spans to `messages.log.damaged-<time>` before the log is rewritten without them. */
  private async quarantine(replay: ReplayResult): Promise<void> {
    const path = `${this.logPath}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`
    const out = await open(path, 'wx', 0o600)
    let bytes = 0
    let records = 0
    try {
      for (const span of replay.damaged) {
        const data = Buffer.allocUnsafe(span.end - span.start)
        await this.handle!.read(data, 0, data.length, span.start)
        await out.write(data)
        bytes += data.length
        records += span.records
      }
      await out.datasync()
    } finally {
      await out.close()
    }
    syncDirectory(this.options.dir)
    this.counters.damagedRecords = records
    const where = replay.damaged.map(span => `${span.start}-${span.end}`).join(', ')
    this.options.logger.warn(
      `store: skipped ${records} damaged record${records === 1 ? '' : 's'} in ${this.logPath} (bytes ${where}); ` +
        `kept ${replay.records} intact records; the damaged ${bytes} bytes were moved to ${path}`,
    )
  }

  private unboundedDamage(replay: ReplayResult, tail: {start: number; end: number}): LogDamagedError {
    return new LogDamagedError(
      `the message log ${this.logPath} is damaged from byte ${tail.start} to its end (${tail.end - tail.start} bytes) and no intact record follows, ` +
        'so the records there can be neither recovered nor counted; nothing was changed',
      `To keep the ${replay.records} intact records before the damage: truncate -s ${tail.start} '${this.logPath}'. To start with no messages: move the file aside.`,
    )
  }

  append(records: StoreRecord[]): Promise<void> {
    if (this.failure) return Promise.reject(this.failure)
    if (this.closed || !this.handle) return Promise.reject(new Error('the store is closed'))
    // Encoded now: the broker may change its message objects once this call returns.
    const bodies: BodyPlacement[] = []
    const frames = encodeRecords(records, bodies)
    this.counters.records += records.length
    return new Promise((resolve, reject) => {
      this.pending.push({records, frames, bodies, resolve, reject})
      this.writing ??= this.writeLoop()
    })
  }

  stats(): StoreStats {
    return {durable: true, logBytes: this.logBytes, ...this.counters, diskFull: this.diskFull, hotBodyBytes: this.hot.cachedBytes}
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.writing
    if (this.handle && !this.failure) await this.checkpoint()
    this.releaseBodies()
    await this.handle?.close()
    this.handle = undefined
    this.lock.release()
  }

  /** Writes the index file for the log as it is now; a failure only costs the next start a full replay. */
  private async checkpoint(): Promise<void> {
    try {
      const written = await writeCheckpoint(this.indexPath, this.options.dir, this.index.records(), this.log, this.logBytes, this.logCrc)
      // Bodies not at a known place (records given as plain objects): an older index file must not stay.
      if (!written) await rm(this.indexPath, {force: true})
    } catch (error) {
      this.options.logger.warn(
        `store: could not write the index file ${this.indexPath} (the next start replays the whole log): ${(error as Error).message}`,
      )
    }
  }

  /** The log is going away: its parked bodies can no longer be read (a message still held would fail loudly). */
  private releaseBodies(): void {
    if (this.log) bodyLogs.unregister(this.log)
    this.log = 0
    this.hot.clear()
  }

  private get compactPath(): string {
    return `${this.logPath}.compact`
  }

  private async writeLoop(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const group = this.pending
        this.pending = []
        const frames = group.flatMap(write => write.frames)
        let written = 0
        const base = this.logBytes
        try {
          written = await this.writeAll(frames)
          await this.handle!.datasync()
        } catch (error) {
          await this.writeFailed(group, error as Error)
          continue
        }
        this.logBytes += written
        for (const frame of frames) this.logCrc = crc32(frame, this.logCrc)
        this.counters.commits++
        // The index (what compaction writes out) only ever holds what is durable.
        for (const write of group) for (const record of write.records) this.index.apply(record)
        this.parkBodies(group, base)
        for (const write of group) write.resolve()
        if (this.diskFull) {
          this.diskFull = false
          this.options.logger.info('store: writes succeed again (space was freed)')
        }
        // Between bursts; under writes that never pause (two busy senders), once the garbage is
        // twice as big again, or the log would grow without bound (appends wait meanwhile).
        if (this.shouldCompact(this.pending.length === 0 ? 1 : 2)) await this.compactWithBackoff()
      }
    } catch (error) {
      this.options.logger.error(`store: ${(error as Error).message}`)
    } finally {
      this.writing = undefined
    }
  }

  /**
   * A write that failed is undone (the file cut back to its last committed byte). On a full disk
   * only this group is refused; later writes try again. Any other failure stops all writes.
   */
  private async writeFailed(group: PendingWrite[], error: Error): Promise<void> {
    let rolledBack = false
    try {
      await this.handle!.truncate(this.logBytes)
      await this.handle!.datasync()
      rolledBack = true
    } catch {
      rolledBack = false
    }
    if (rolledBack && isDiskFull(error)) {
      if (!this.diskFull) this.options.logger.error(`store: the disk is full, refusing writes until space is free: ${error.message}`)
      this.diskFull = true
      this.counters.refusedWrites += group.length
      const refusal = storageFullError()
      for (const write of group) write.reject(refusal)
      return
    }
    this.failure = error
    this.options.logger.error(`store: write failed, refusing further writes: ${error.message}`)
    for (const write of [...group, ...this.pending]) write.reject(error)
    this.pending = []
  }

  /** The group's bodies are durable at `base` onwards: they need not stay in memory (beyond the hot ones). */
  private parkBodies(group: PendingWrite[], base: number): void {
    let at = base
    for (const write of group) {
      for (const body of write.bodies)
        if (body.message instanceof QueuedMessage) body.message.park(this.log, at + body.at, body.inMemory, true)
      for (const frame of write.frames) at += frame.length
    }
  }

  private writeAll(frames: Buffer[]): Promise<number> {
    return writeFrames(this.handle!, frames)
  }

  /** Whether the log is over `factor` times the size at which it is compacted. */
  private shouldCompact(factor: number): boolean {
    const minBytes = factor * (this.options.compactMinBytes ?? STORE.compactMinBytes)
    // Against the last compacted size too: the live size is an estimate (bodies plus about 200
    // bytes a record), and where it falls short a log just compacted would be compacted again.
    const live = Math.max(this.index.liveBytes, this.compactedBytes)
    return (
      !this.closed &&
      Date.now() >= this.compactionRetryAt &&
      this.logBytes > minBytes &&
      this.logBytes > factor * STORE.compactLiveRatio * live
    )
  }

  /** A failed compaction leaves the log as it was, removes its temp file, logs once and waits longer each time. */
  private async compactWithBackoff(): Promise<void> {
    try {
      await this.compact()
      if (this.compactionBackoffMs > 0) this.options.logger.info('store: compaction succeeds again')
      this.compactionBackoffMs = 0
    } catch (error) {
      await rm(this.compactPath, {force: true}).catch(() => {})
      if (this.compactionBackoffMs === 0) {
        this.options.logger.error(
          `store: compaction failed, the log stays as it is and compaction is retried later: ${(error as Error).message}`,
        )
      }
      this.compactionBackoffMs = Math.min(COMPACTION_BACKOFF_MS.max, Math.max(COMPACTION_BACKOFF_MS.first, this.compactionBackoffMs * 2))
      this.compactionRetryAt = Date.now() + this.compactionBackoffMs
    }
  }

  /** Rewrites the live records into a new file and swaps it in; appends made meanwhile follow it. */
  private async compact(): Promise<void> {
    const started = Date.now()
    const before = this.logBytes
    // Opened for appending: once renamed it is the log, without a reopen that could fail.
    const temporary = await open(this.compactPath, 'ax+', 0o600)
    // Where each live body will be in the new file; they move there when the files are swapped.
    const bodies: BodyPlacement[] = []
    let bytes = 0
    let crc = 0
    try {
      let chunk: Buffer[] = []
      let chunkBytes = 0
      const flush = async () => {
        bytes += await writeFrames(temporary, chunk)
        chunk = []
        chunkBytes = 0
      }
      // Records are encoded a few at a time, so runs of messages become put groups while only
      // about a put group's worth of bodies is read into memory at once.
      let records: StoreRecord[] = []
      let recordBytes = 0
      const encode = async () => {
        for (const frames of encodeRecords(records, bodies, bytes + chunkBytes)) {
          crc = crc32(frames, crc)
          chunk.push(frames)
          chunkBytes += frames.length
        }
        records = []
        recordBytes = 0
        if (chunkBytes >= COMPACTION_CHUNK_BYTES) await flush()
      }
      // The index changes only in the write loop, which is here: iterating it lazily is safe.
      for (const record of this.index.records()) {
        records.push(record)
        recordBytes += record.type === 'message-put' ? payloadBytes(record.message) : 0
        if (recordBytes >= COMPACTION_ENCODE_BYTES || records.length >= COMPACTION_ENCODE_RECORDS) await encode()
      }
      if (records.length > 0) await encode()
      if (chunkBytes > 0) await flush()
      await temporary.datasync()
      await rename(this.compactPath, this.logPath)
      syncDirectory(this.options.dir)
    } catch (error) {
      await temporary.close()
      throw error
    }
    const old = this.handle
    const oldLog = this.log
    this.handle = temporary
    this.logBytes = bytes
    this.log = bodyLogs.register(temporary.fd, this.hot, () => this.logBytes)
    for (const body of bodies) if (body.message instanceof QueuedMessage) body.message.park(this.log, body.at, body.inMemory, false)
    bodyLogs.unregister(oldLog)
    await old?.close()
    this.logCrc = crc
    this.compactedBytes = bytes
    this.counters.compactions++
    this.options.logger.info(`store: compacted ${before} -> ${bytes} bytes in ${Date.now() - started} ms`)
    // The new log's index: a restart after this replays only what is appended from here on.
    await this.checkpoint()
  }
}

const MAX_IOVECS = 1024

/**
 * Appends frames with writev, without joining them first: a big joined buffer would be a large
 * allocation freed at once, which makes the allocator keep later ones off mmap and RSS high.
 */
async function writeFrames(handle: FileHandle, frames: Buffer[]): Promise<number> {
  let total = 0
  for (const frame of frames) total += frame.length
  let pending = frames
  let left = total
  while (left > 0) {
    let {bytesWritten} = await handle.writev(pending.length > MAX_IOVECS ? pending.slice(0, MAX_IOVECS) : pending)
    left -= bytesWritten
    let done = 0
    while (done < pending.length && bytesWritten >= pending[done].length) bytesWritten -= pending[done++].length
    pending = pending.slice(done)
    if (bytesWritten > 0) pending[0] = pending[0].subarray(bytesWritten)
  }
  return total
}
