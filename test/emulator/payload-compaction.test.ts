// In memory, a few messages that outlive their neighbours (a queue nobody reads) must not keep
// every payload slab of the finished ones: the compaction moves them into fresh slabs, bodies
// intact, and a body that a topic's subscriptions share stays one copy.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {Broker} from '../../src/emulator/servicebus/broker/broker.js'
import type {Consumer, ReceiveMode} from '../../src/emulator/servicebus/broker/entity.js'
import type {Delivery, PropertyEditor} from '../../src/emulator/servicebus/broker/message.js'
import {silentLogger} from '../../src/emulator/servicebus/logger.js'
import {copyPayload, SLAB_BYTES} from '../../src/emulator/servicebus/payload-arena.js'
import {MemoryStore} from '../../src/emulator/servicebus/store/memory-store.js'
import {compactSlabs} from '../../src/emulator/servicebus/store/payload-compaction.js'
import type {QueuedMessage} from '../../src/emulator/servicebus/store/queued-message.js'

const editor: PropertyEditor = {setApplicationProperties: payload => payload}
const body = (tag: number) => copyPayload(Buffer.alloc(1024, tag % 251))

class Drain implements Consumer {
  readonly mode: ReceiveMode = 'receiveAndDelete'
  credit() {
    return 1_000_000
  }
  deliver(_delivery: Delivery) {}
  close() {}
}

/** A broker with a queue `busy` that a consumer drains, and queues `names` nobody reads. */
async function brokerWithQueues(...names: string[]): Promise<Broker> {
  const broker = new Broker({store: new MemoryStore(), propertyEditor: editor, logger: silentLogger})
  await broker.open()
  for (const name of ['busy', ...names]) await broker.createQueue(name, {maxSizeInMegabytes: 5120})
  broker.addConsumer('busy', new Drain()).creditAdded()
  return broker
}

/** Sends `batches` batches of 100 messages to `busy`, which a consumer drains, one to `idle` after each. */
async function interleave(broker: Broker, batches: number, idle?: string): Promise<void> {
  for (let batch = 0; batch < batches; batch++) {
    await broker.send(
      'busy',
      Array.from({length: 100}, (_, i) => ({payload: body(i)})),
    )
    if (idle) await broker.send(idle, [{payload: body(batch)}])
  }
  assert.equal(broker.runtimeCounts('busy').activeMessageCount, 0)
}

const slabsOf = (messages: QueuedMessage[]) => new Set(messages.map(message => message.slab)).size
const idleMessages = (broker: Broker, path: string) => broker.peek(path, 1, 10_000) as QueuedMessage[]

test('the slabs growing past twice what the queues hold move the survivors out of sparse slabs', async () => {
  const broker = await brokerWithQueues('idle')
  // 40 MB of finished messages, and 400 x 1 KB survivors among them: a few in each slab, so the
  // slabs held (40 MB) pass twice what the queues hold plus 32 MB whatever the GC has collected.
  await interleave(broker, 400, 'idle')
  // 24 MB more of sends cross the arena's next 16 MB check.
  await interleave(broker, 240)
  await new Promise(resolve => setImmediate(resolve))
  const survivors = idleMessages(broker, 'idle')
  assert.equal(survivors.length, 400)
  // Without the compaction they would still sit in the ~160 slabs they were sent into.
  assert.ok(slabsOf(survivors) <= Math.ceil((400 * 1024) / SLAB_BYTES) + 1, `${slabsOf(survivors)} slabs`)
  survivors.forEach((message, batch) => assert.deepEqual(message.payload, Buffer.alloc(1024, batch % 251)))
  await broker.close()
})

test('a body the subscriptions of a topic share is moved once and stays shared', async () => {
  const broker = await brokerWithQueues()
  await broker.topics.create('fan')
  await broker.topics.createSubscription('fan', 'a')
  await broker.topics.createSubscription('fan', 'b')
  await interleave(broker, 50, 'fan')
  // Every copy but those in the slab still being filled moves, in pairs.
  const moved = compactSlabs()
  assert.ok(moved >= 90 && moved % 2 === 0, `moved ${moved}`)
  const a = idleMessages(broker, 'fan/Subscriptions/a')
  const b = idleMessages(broker, 'fan/Subscriptions/b')
  assert.equal(a.length, 50)
  for (const [i, message] of a.entries()) {
    assert.equal(message.slab, b[i].slab)
    assert.equal(message.slabOffset, b[i].slabOffset)
    assert.deepEqual(message.payload, Buffer.alloc(1024, i % 251))
  }
  assert.equal(compactSlabs(), 0, 'a second pass finds nothing sparse')
  await broker.close()
})
