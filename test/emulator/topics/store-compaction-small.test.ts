// Compaction with many small live messages (a topic's copies: ~100-byte payloads whose frames are
// mostly metadata). The log of live data alone is then more than twice the live payload bytes, so
// a trigger on payload bytes alone compacted again after every write, rewriting the whole log each
// time (fan-out to 50 subscriptions took minutes). A compaction now waits for the log to double.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import type {StoredMessage} from '../../../src/emulator/servicebus/broker/message.js'
import {newQueueProperties} from '../../../src/emulator/servicebus/broker/queue-properties.js'
import {silentLogger} from '../../../src/emulator/servicebus/logger.js'
import {DurableStore} from '../../../src/emulator/servicebus/store/durable-store.js'
import {tempDir} from '../../helpers/cli.js'

const small = (sequenceNumber: number): StoredMessage => ({
  sequenceNumber,
  enqueuedTimeUtc: 1_700_000_000_000,
  deliveryCount: 0,
  state: 'active',
  messageId: `message-${sequenceNumber}-with-a-longish-id`,
  payload: Buffer.alloc(8, 1),
})

test('many small live messages do not make every write compact the log again', async () => {
  const dir = tempDir('qjob-compact-small-')
  try {
    const store = new DurableStore({dir: dir.path, logger: silentLogger, compactMinBytes: 4096})
    await store.open()
    await store.append([{type: 'queue-put', properties: newQueueProperties('q', {}, 0)}])
    // 200 writes of 20 live messages each: nothing is ever deleted, so the log only grows.
    for (let write = 0; write < 200; write++) {
      await store.append(
        Array.from({length: 20}, (_, i) => ({
          type: 'message-put' as const,
          queue: 'q',
          subQueue: 'main' as const,
          message: small(write * 20 + i + 1),
        })),
      )
    }
    const {compactions} = store.stats()
    // Doubling from 4 KiB to the final ~0.5 MiB allows about log2(128) = 7 compactions.
    assert.ok(compactions <= 10, `compacted ${compactions} times`)
    await store.close()
    const again = new DurableStore({dir: dir.path, logger: silentLogger})
    const snapshot = await again.open()
    assert.equal(snapshot.queues[0].main.length, 4000)
    await again.close()
  } finally {
    dir.cleanup()
  }
})
