// Issue 17 item 3: a compaction that hits a full disk (a real small tmpfs) must not crash the
// emulator nor leave its temp file behind: it removes the temp file, logs once, backs off, and
// the store keeps serving; the log it left in place replays whole.
import assert from 'node:assert/strict'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'node:test'

import type {StoredMessage} from '../../src/emulator/servicebus/broker/message.js'
import {newQueueProperties} from '../../src/emulator/servicebus/broker/queue-properties.js'
import type {EmulatorLogger} from '../../src/emulator/servicebus/logger.js'
import {DurableStore} from '../../src/emulator/servicebus/store/durable-store.js'
import {mountSmallDisk} from './small-disk.js'

const disk = mountSmallDisk()
test.after(() => disk?.unmount())

const message = (sequenceNumber: number): StoredMessage => ({
  sequenceNumber,
  enqueuedTimeUtc: 1_700_000_000_000,
  deliveryCount: 0,
  state: 'active',
  messageId: `m-${sequenceNumber}`,
  payload: Buffer.alloc(100 * 1024, sequenceNumber),
})

test(
  'ENOSPC during compaction: temp file removed, one error logged, the store keeps serving',
  {skip: disk ? false : 'needs a tmpfs mount (root)'},
  async () => {
    const dir = join(disk!.path, 'store')
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => void unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      const writer = new DurableStore({dir, logger: {debug() {}, info() {}, warn() {}, error() {}}, compactMinBytes: 1024 * 1024 * 1024})
      await writer.open()
      await writer.append([{type: 'queue-put', properties: newQueueProperties('jobs', {}, 1)}])
      for (let i = 1; i <= 25; i++) {
        await writer.append([{type: 'message-put', queue: 'jobs', subQueue: 'main', message: message(i)}])
        if (i > 10) await writer.append([{type: 'message-delete', queue: 'jobs', subQueue: 'main', sequenceNumber: i}])
      }
      await writer.close()
      // About 2.5 MB of log, 1 MB of it live; leave too little room for the compacted copy.
      disk!.fill(300 * 1024)

      const errors: string[] = []
      const logger: EmulatorLogger = {debug() {}, info() {}, warn() {}, error: line => void errors.push(line)}
      const store = new DurableStore({dir, logger, compactMinBytes: 1024 * 1024})
      await store.open()
      const update = (deliveryCount: number) =>
        store.append([{type: 'message-update', queue: 'jobs', subQueue: 'main', sequenceNumber: 1, deliveryCount, state: 'active'}])
      await update(1) // triggers the compaction, which runs out of space
      await update(2) // written after the failed compaction
      await update(3) // backing off: no second attempt, no second error
      assert.equal(store.stats().compactions, 0)
      assert.ok(!existsSync(join(dir, 'messages.log.compact')), 'the temp file is removed')
      assert.equal(errors.filter(line => /compaction failed/.test(line)).length, 1, errors.join('\n'))
      assert.equal(errors.length, 1, errors.join('\n'))
      await store.close()
      assert.deepEqual(unhandled, [])

      disk!.free()
      const again = new DurableStore({dir, logger})
      const {queues} = await again.open()
      assert.equal(queues[0].main.length, 10)
      assert.equal(queues[0].main[0].deliveryCount, 3)
      await again.close()
    } finally {
      process.off('unhandledRejection', onUnhandled)
      disk?.free()
    }
  },
)
