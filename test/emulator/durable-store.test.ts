// The durable store on its own: replay after reopen, group commit, a torn tail cut off,
// compaction that keeps every live record and the sequence counters, one owner per directory.
import assert from 'node:assert/strict'
import {appendFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'node:test'

import type {StoredMessage} from '../../src/emulator/servicebus/broker/message.js'
import {newQueueProperties} from '../../src/emulator/servicebus/broker/queue-properties.js'
import {silentLogger} from '../../src/emulator/servicebus/logger.js'
import {DurableStore} from '../../src/emulator/servicebus/store/durable-store.js'
import {tempDir} from '../helpers/cli.js'

const message = (sequenceNumber: number, size = 10): StoredMessage => ({
  sequenceNumber,
  enqueuedTimeUtc: 1_700_000_000_000 + sequenceNumber,
  deliveryCount: 0,
  state: 'active',
  messageId: `m-${sequenceNumber}`,
  payload: Buffer.alloc(size, sequenceNumber % 256),
})

/** A replayed message as plain fields (its body may be read from the log, through a getter). */
const plain = (message: StoredMessage): StoredMessage => ({...message, payload: message.payload})

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = tempDir('qjob-store-')
  try {
    await run(dir.path)
  } finally {
    dir.cleanup()
  }
}

test('records replay after reopen; concurrent appends share fsyncs', () =>
  withDir(async dir => {
    const store = new DurableStore({dir, logger: silentLogger})
    assert.deepEqual(await store.open(), {queues: []})
    await store.append([{type: 'queue-put', properties: newQueueProperties('jobs', {maxDeliveryCount: 3}, 1)}])
    await Promise.all(
      Array.from({length: 200}, (_, i) => store.append([{type: 'message-put', queue: 'jobs', subQueue: 'main', message: message(i + 1)}])),
    )
    assert.ok(store.stats().commits < 100, `group commit: ${store.stats().commits} fsyncs for 201 appends`)
    await store.append([
      {type: 'message-delete', queue: 'jobs', subQueue: 'main', sequenceNumber: 1},
      {type: 'message-update', queue: 'jobs', subQueue: 'main', sequenceNumber: 2, deliveryCount: 4, state: 'deferred'},
      {type: 'message-move', queue: 'jobs', from: 'main', to: 'deadLetter', message: {...message(3), deadLetterSource: 'jobs'}},
    ])
    await store.close()

    const again = new DurableStore({dir, logger: silentLogger})
    const {queues} = await again.open()
    assert.equal(queues.length, 1)
    assert.equal(queues[0].properties.maxDeliveryCount, 3)
    assert.equal(queues[0].nextSequenceNumber, 201)
    assert.equal(queues[0].main.length, 198)
    assert.deepEqual(plain(queues[0].main[0]), {...message(2), deliveryCount: 4, state: 'deferred'})
    assert.deepEqual(queues[0].deadLetter.map(plain), [{...message(3), deadLetterSource: 'jobs'}])
    await again.close()
  }))

test('a torn tail (crash mid-write) is cut off and the rest is kept', () =>
  withDir(async dir => {
    const store = new DurableStore({dir, logger: silentLogger})
    await store.open()
    await store.append([{type: 'queue-put', properties: newQueueProperties('jobs', {}, 1)}])
    await store.append([{type: 'message-put', queue: 'jobs', subQueue: 'main', message: message(1)}])
    await store.close()
    const log = join(dir, 'messages.log')
    const goodSize = statSync(log).size
    appendFileSync(log, Buffer.from([0, 0, 1, 0, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3]))

    const again = new DurableStore({dir, logger: silentLogger})
    const {queues} = await again.open()
    assert.deepEqual(queues[0].main.map(plain), [message(1)])
    assert.equal(statSync(log).size, goodSize, 'the torn bytes are gone')
    await again.append([{type: 'message-put', queue: 'jobs', subQueue: 'main', message: message(2)}])
    await again.close()
    const third = new DurableStore({dir, logger: silentLogger})
    assert.equal((await third.open()).queues[0].main.length, 2)
    await third.close()
  }))

test('compaction rewrites only live records and keeps sequence numbers going up', () =>
  withDir(async dir => {
    const store = new DurableStore({dir, logger: silentLogger, compactMinBytes: 64 * 1024})
    await store.open()
    await store.append([{type: 'queue-put', properties: newQueueProperties('jobs', {}, 1)}])
    for (let i = 1; i <= 400; i++) {
      await store.append([{type: 'message-put', queue: 'jobs', subQueue: 'main', message: message(i, 1000)}])
      if (i % 10 !== 0) await store.append([{type: 'message-delete', queue: 'jobs', subQueue: 'main', sequenceNumber: i}])
    }
    assert.ok(store.stats().compactions >= 1, 'compacted at least once')
    assert.ok(store.stats().logBytes < 200 * 1024, `log is small after compaction: ${store.stats().logBytes}`)
    await store.close()
    const again = new DurableStore({dir, logger: silentLogger})
    const {queues} = await again.open()
    assert.deepEqual(
      queues[0].main.map(m => m.sequenceNumber),
      Array.from({length: 40}, (_, i) => (i + 1) * 10),
    )
    assert.equal(queues[0].nextSequenceNumber, 401)
    await again.close()
  }))

test('compaction also runs under writes that never pause (two senders, each appending as soon as the last append is durable)', () =>
  withDir(async dir => {
    const store = new DurableStore({dir, logger: silentLogger, compactMinBytes: 64 * 1024})
    await store.open()
    await store.append([{type: 'queue-put', properties: newQueueProperties('jobs', {}, 1)}])
    let next = 1
    // Each sender has its next append queued before the previous group commit ends, so the
    // store never sees an empty queue of writes; every message is deleted right after it is put.
    const sender = async () => {
      while (next <= 2000) {
        const sequenceNumber = next++
        await store.append([
          {type: 'message-put', queue: 'jobs', subQueue: 'main', message: message(sequenceNumber, 1000)},
          {type: 'message-delete', queue: 'jobs', subQueue: 'main', sequenceNumber},
        ])
      }
    }
    await Promise.all([sender(), sender(), sender()])
    assert.ok(store.stats().compactions >= 1, `compacted under continuous writes: ${store.stats().compactions} compactions`)
    assert.ok(store.stats().logBytes < 1024 * 1024, `the log stays bounded: ${store.stats().logBytes} bytes after 2 MB of bodies`)
    await store.close()
    const again = new DurableStore({dir, logger: silentLogger})
    const {queues} = await again.open()
    assert.equal(queues[0].main.length, 0)
    assert.equal(queues[0].nextSequenceNumber, 2001)
    await again.close()
  }))

test('one store per data directory', () =>
  withDir(async dir => {
    const store = new DurableStore({dir, logger: silentLogger})
    await store.open()
    await assert.rejects(new DurableStore({dir, logger: silentLogger}).open(), /in use/)
    await store.close()
    const next = new DurableStore({dir, logger: silentLogger})
    await next.open()
    await next.close()
  }))
