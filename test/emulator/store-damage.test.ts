// Issue 17 item 1: damage inside the log is skipped, not cut. Replay resyncs to the next intact
// frame, keeps every intact record, moves the damaged bytes to a quarantine file and counts the
// records it skipped; damage with no bound refuses the start; format 1 logs are still read.
import assert from 'node:assert/strict'
import {appendFileSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'node:test'
import {crc32} from 'node:zlib'

import type {StoredMessage} from '../../src/emulator/servicebus/broker/message.js'
import {newQueueProperties} from '../../src/emulator/servicebus/broker/queue-properties.js'
import type {EmulatorLogger} from '../../src/emulator/servicebus/logger.js'
import {DurableStore} from '../../src/emulator/servicebus/store/durable-store.js'
import {FRAME_MAGIC} from '../../src/emulator/servicebus/store/log-codec.js'
import {LogDamagedError} from '../../src/emulator/servicebus/store/log-replay.js'
import {tempDir} from '../helpers/cli.js'

const message = (sequenceNumber: number, size = 100): StoredMessage => ({
  sequenceNumber,
  enqueuedTimeUtc: 1_700_000_000_000 + sequenceNumber,
  deliveryCount: 0,
  state: 'active',
  messageId: `m-${sequenceNumber}`,
  payload: Buffer.alloc(size, sequenceNumber % 256),
})

function recordingLogger(): EmulatorLogger & {lines: string[]} {
  const lines: string[] = []
  const push = (message: string) => void lines.push(message)
  return {lines, debug: push, info: push, warn: push, error: push}
}

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = tempDir('qjob-store-damage-')
  try {
    await run(dir.path)
  } finally {
    dir.cleanup()
  }
}

/** A log of one queue and `count` messages; returns the file offset where each message's frame starts. */
async function writeLog(dir: string, count: number): Promise<number[]> {
  const store = new DurableStore({dir, logger: recordingLogger()})
  await store.open()
  await store.append([{type: 'queue-put', properties: newQueueProperties('jobs', {}, 1)}])
  const starts: number[] = []
  for (let i = 1; i <= count; i++) {
    starts.push(store.stats().logBytes)
    await store.append([{type: 'message-put', queue: 'jobs', subQueue: 'main', message: message(i)}])
  }
  await store.close()
  return starts
}

async function reopen(dir: string, logger = recordingLogger()) {
  const store = new DurableStore({dir, logger})
  const snapshot = await store.open()
  const stats = store.stats()
  // Plain copies, bodies read while the store is open (they are read from the log).
  const main = (snapshot.queues[0]?.main ?? []).map(message => ({...message, payload: message.payload}))
  await store.close()
  return {snapshot, stats, logger, main}
}

function flip(path: string, offset: number): void {
  const data = readFileSync(path)
  data[offset] ^= 0xff
  writeFileSync(path, data)
}

const quarantineFiles = (dir: string) => readdirSync(dir).filter(name => name.startsWith('messages.log.damaged-'))

test('a byte flipped 10% into a 1,000-message log loses one record, not the 900 after it', () =>
  withDir(async dir => {
    await writeLog(dir, 1000)
    const log = join(dir, 'messages.log')
    flip(log, Math.floor(statSync(log).size / 10))
    const {main, stats, logger} = await reopen(dir)
    assert.equal(main.length, 999)
    assert.equal(stats.damagedRecords, 1)
    assert.ok(
      logger.lines.some(line => /skipped 1 damaged record /.test(line)),
      logger.lines.join('\n'),
    )
    const files = quarantineFiles(dir)
    assert.equal(files.length, 1)
    assert.ok(statSync(join(dir, files[0])).size > 0)
    // The log was rewritten without the damage: the next start finds nothing to skip.
    const again = await reopen(dir)
    assert.equal(again.main.length, 999)
    assert.equal(again.stats.damagedRecords, 0)
    assert.equal(quarantineFiles(dir).length, 1)
  }))

test('a flipped length field skips its record only (it used to cut the log to nothing)', () =>
  withDir(async dir => {
    const starts = await writeLog(dir, 200)
    // The high byte of the first message's length: it now points far past the end of the file.
    flip(join(dir, 'messages.log'), starts[0] + 4)
    const {main} = await reopen(dir)
    assert.deepEqual(
      main.map(m => m.sequenceNumber),
      Array.from({length: 199}, (_, i) => i + 2),
    )
  }))

test('damage in several places: every intact record is kept, skipped records are counted', () =>
  withDir(async dir => {
    const starts = await writeLog(dir, 300)
    const log = join(dir, 'messages.log')
    for (const i of [10, 11, 12, 150, 299]) flip(log, starts[i] + 40)
    const {main, stats} = await reopen(dir)
    assert.equal(main.length, 295)
    assert.equal(stats.damagedRecords, 5)
    assert.ok(!main.some(m => [11, 12, 13, 151, 300].includes(m.sequenceNumber)))
  }))

test('damage with no bound (garbage to the end of the log) refuses the start and changes nothing', () =>
  withDir(async dir => {
    await writeLog(dir, 20)
    const log = join(dir, 'messages.log')
    appendFileSync(log, Buffer.alloc(5000, 0x5a))
    const size = statSync(log).size
    const store = new DurableStore({dir, logger: recordingLogger()})
    await assert.rejects(
      store.open(),
      (error: Error) =>
        error instanceof LogDamagedError && /no intact record follows/.test(error.message) && /truncate -s/.test(error.hint ?? ''),
    )
    assert.equal(statSync(log).size, size, 'nothing was cut')
    // The refusal released the lock: a second try is refused for the damage again, not "in use".
    await assert.rejects(new DurableStore({dir, logger: recordingLogger()}).open(), LogDamagedError)
  }))

test('a zero-filled tail (what a crash can leave) is cut as a torn tail', () =>
  withDir(async dir => {
    await writeLog(dir, 20)
    const log = join(dir, 'messages.log')
    const size = statSync(log).size
    appendFileSync(log, Buffer.alloc(4096))
    const {main} = await reopen(dir)
    assert.equal(main.length, 20)
    assert.equal(statSync(log).size, size)
  }))

test('a leftover compaction file is removed at start', () =>
  withDir(async dir => {
    await writeLog(dir, 3)
    writeFileSync(join(dir, 'messages.log.compact'), Buffer.alloc(1000, 1))
    const {main} = await reopen(dir)
    assert.equal(main.length, 3)
    assert.ok(!readdirSync(dir).includes('messages.log.compact'))
  }))

/** A format 1 frame: u32 length | u32 CRC-32 of body | body (u32 JSON length | JSON | payload). */
function legacyFrame(record: object, payload: Buffer = Buffer.alloc(0)): Buffer {
  const json = Buffer.from(JSON.stringify(record))
  const body = Buffer.alloc(4 + json.length + payload.length)
  body.writeUInt32BE(json.length, 0)
  json.copy(body, 4)
  payload.copy(body, 4 + json.length)
  const header = Buffer.alloc(8)
  header.writeUInt32BE(body.length, 0)
  header.writeUInt32BE(crc32(body), 4)
  return Buffer.concat([header, body])
}

test('a format 1 log (previous version) is read, resynced past damage, and rewritten in format 2', () =>
  withDir(async dir => {
    const frames = [legacyFrame({type: 'queue-put', properties: newQueueProperties('jobs', {}, 1)})]
    for (let i = 1; i <= 50; i++) {
      const {payload, ...meta} = message(i)
      frames.push(legacyFrame({type: 'message-put', queue: 'jobs', subQueue: 'main', message: meta}, payload))
    }
    const data = Buffer.concat(frames)
    // Damage message 10's length field, and leave a torn last frame.
    const offset = frames.slice(0, 10).reduce((sum, frame) => sum + frame.length, 0)
    data[offset] ^= 0x40
    writeFileSync(join(dir, 'messages.log'), Buffer.concat([data, frames[1].subarray(0, 30)]))
    const {main} = await reopen(dir)
    assert.equal(main.length, 49)
    assert.ok(!main.some(m => m.sequenceNumber === 10))
    assert.deepEqual(main[0], message(1))
    assert.ok(readFileSync(join(dir, 'messages.log')).subarray(0, 4).equals(FRAME_MAGIC), 'rewritten in format 2')
    assert.equal((await reopen(dir)).main.length, 49)
  }))
