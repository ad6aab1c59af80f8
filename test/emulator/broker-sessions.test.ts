// Broker core without sockets for issue 5's parts: the peek index, scheduling activation,
// deferral, and sessions (waiting for a free session, lock expiry, lock-less session requests).
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'

import {Broker} from '../../src/emulator/servicebus/broker/broker.js'
import {BrokerError} from '../../src/emulator/servicebus/broker/broker-error.js'
import type {Consumer, ReceiveMode} from '../../src/emulator/servicebus/broker/entity.js'
import type {Delivery, PropertyEditor} from '../../src/emulator/servicebus/broker/message.js'
import type {QueueSettings} from '../../src/emulator/servicebus/broker/queue-properties.js'
import {SequenceIndex} from '../../src/emulator/servicebus/broker/sequence-index.js'
import {silentLogger} from '../../src/emulator/servicebus/logger.js'
import {MemoryStore} from '../../src/emulator/servicebus/store/memory-store.js'

const editor: PropertyEditor = {setApplicationProperties: payload => payload}
const message = (body: string, extra: {sessionId?: string; scheduledEnqueueTimeUtc?: number} = {}) => ({
  payload: Buffer.from(body),
  ...extra,
})
const bodyOf = (delivery: Delivery) => delivery.message.payload.toString()

class TestConsumer implements Consumer {
  readonly deliveries: Delivery[] = []
  closedWith?: Error
  sessionId?: string
  constructor(
    readonly mode: ReceiveMode = 'peekLock',
    private available = 100,
  ) {}
  credit() {
    return this.available
  }
  deliver(delivery: Delivery) {
    this.available--
    this.deliveries.push(delivery)
  }
  close(error: Error) {
    this.closedWith = error
  }
}

async function brokerWith(queue: string, settings: QueueSettings = {}): Promise<Broker> {
  const broker = new Broker({store: new MemoryStore(), propertyEditor: editor, logger: silentLogger})
  await broker.open()
  await broker.createQueue(queue, settings)
  return broker
}

async function codeOf(promise: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof promise === 'function' ? promise() : promise)
  } catch (error) {
    return error instanceof BrokerError ? error.code : String(error)
  }
  return undefined
}

describe('peek index', () => {
  test('sequence numbers in order, inserted out of order, removed, compacted', () => {
    const live = new Set<number>()
    const index = new SequenceIndex(n => live.has(n))
    for (const n of [5, 1, 9, 3, 7]) {
      live.add(n)
      index.add(n)
    }
    assert.deepEqual([...index.from(0)], [1, 3, 5, 7, 9])
    assert.deepEqual([...index.from(4)], [5, 7, 9])
    live.delete(5)
    index.removed()
    assert.deepEqual([...index.from(4)], [7, 9])
    for (let n = 10; n < 5000; n++) {
      live.add(n)
      index.add(n)
    }
    for (let n = 10; n < 4000; n++) {
      live.delete(n)
      index.removed()
    }
    assert.deepEqual([...index.from(3990)].slice(0, 3), [4000, 4001, 4002])
    assert.equal([...index.from(0)].length, 4 + 1000)
  })

  test('a dead-letter queue peeks in sequence order whatever the order of dead-lettering', async () => {
    const broker = await brokerWith('q')
    await broker.send(
      'q',
      ['a', 'b', 'c'].map(body => message(body)),
    )
    const consumer = new TestConsumer()
    broker.addConsumer('q', consumer)
    for (const delivery of [...consumer.deliveries].reverse()) await broker.deadLetter(delivery.lockToken!)
    assert.deepEqual(
      broker.peek('q/$DeadLetterQueue', 1, 10).map(m => m.sequenceNumber),
      [1, 2, 3],
    )
    assert.deepEqual(
      broker.peek('q/$DeadLetterQueue', 2, 1).map(m => m.payload.toString()),
      ['b'],
    )
    await broker.close()
  })
})

describe('scheduling and deferral in the broker', () => {
  test('activation enqueues anew: a new sequence number after later sends', async () => {
    const broker = await brokerWith('q')
    const [scheduled] = await broker.schedule('q', [message('later', {scheduledEnqueueTimeUtc: Date.now() + 60})])
    const [sent] = await broker.send('q', [message('now')])
    const consumer = new TestConsumer('receiveAndDelete')
    broker.addConsumer('q', consumer)
    while (consumer.deliveries.length < 2) await new Promise(resolve => setTimeout(resolve, 10))
    assert.deepEqual(consumer.deliveries.map(bodyOf), ['now', 'later'])
    assert.ok(consumer.deliveries[1].message.sequenceNumber > sent && sent > scheduled)
    assert.equal(await codeOf(broker.cancelScheduled('q', [scheduled])), 'MessageNotFound')
    await broker.close()
  })

  test('receive-by-sequence-number is all or nothing and only for deferred messages', async () => {
    const broker = await brokerWith('q')
    await broker.send('q', [message('a'), message('b')])
    const consumer = new TestConsumer()
    broker.addConsumer('q', consumer)
    await broker.defer(consumer.deliveries[0].lockToken!)
    assert.equal(await codeOf(() => broker.receiveDeferred('q', [1, 2], 'peekLock')), 'MessageNotFound')
    const [deferred] = broker.receiveDeferred('q', [1], 'peekLock')
    assert.equal(
      await codeOf(() => broker.receiveDeferred('q', [1], 'peekLock')),
      'MessageNotFound',
      'a locked deferred message is not handed out twice',
    )
    await broker.updateDisposition([deferred.lockToken!], 'abandoned')
    // Deferred (1) and abandoned (2): each lock that ends without completion counts, as in Azure.
    assert.deepEqual([broker.messageBySequence('q', 1)?.state, broker.messageBySequence('q', 1)?.deliveryCount], ['deferred', 2])
    const [again] = broker.receiveDeferred('q', [1], 'peekLock')
    await broker.updateDisposition([again.lockToken!], 'suspended', {deadLetterReason: 'r'})
    assert.equal(broker.runtimeCounts('q').deadLetterMessageCount, 1)
    assert.equal(await codeOf(broker.updateDisposition([again.lockToken!], 'completed')), 'MessageLockLost')
    await broker.close()
  })
})

describe('sessions in the broker', () => {
  test('a receiver waiting for the next session gets the first one that has a message', async () => {
    const broker = await brokerWith('s', {requiresSession: true})
    const consumer = new TestConsumer()
    const handle = broker.addSessionConsumer('s', consumer, {timeoutMs: 5000})
    await broker.send('s', [message('hello', {sessionId: 'late'})])
    const grant = await handle.granted
    assert.equal(grant.sessionId, 'late')
    handle.creditAdded()
    assert.deepEqual(consumer.deliveries.map(bodyOf), ['hello'])
    assert.equal(consumer.deliveries[0].lockedUntilUtc, grant.lockedUntilUtc)
    await broker.close()
  })

  test('no free session: Timeout after the wait; a receiver that leaves stops waiting', async () => {
    const broker = await brokerWith('s', {requiresSession: true})
    assert.equal(await codeOf(broker.addSessionConsumer('s', new TestConsumer(), {timeoutMs: 30}).granted), 'Timeout')
    const leaving = new TestConsumer()
    const handle = broker.addSessionConsumer('s', leaving, {timeoutMs: 5000})
    handle.remove()
    await broker.send('s', [message('x', {sessionId: 'a'})])
    const other = new TestConsumer()
    assert.equal((await broker.addSessionConsumer('s', other, {timeoutMs: 100}).granted).sessionId, 'a')
    assert.equal(leaving.sessionId, undefined)
    await broker.close()
  })

  test('session lock expiry closes the receiver and redelivers its unsettled messages', async () => {
    const broker = await brokerWith('s', {requiresSession: true, lockDurationMs: 60})
    await broker.send('s', [message('m1', {sessionId: 'a'}), message('m2', {sessionId: 'a'})])
    const first = new TestConsumer('peekLock', 1)
    const handle = broker.addSessionConsumer('s', first, {sessionId: 'a', timeoutMs: 100})
    await handle.granted
    handle.creditAdded()
    assert.deepEqual(first.deliveries.map(bodyOf), ['m1'])
    while (!first.closedWith) await new Promise(resolve => setTimeout(resolve, 10))
    assert.equal((first.closedWith as BrokerError).code, 'SessionLockLost')
    assert.equal(await codeOf(broker.complete(first.deliveries[0].lockToken!)), 'MessageLockLost')
    const second = new TestConsumer()
    await broker.addSessionConsumer('s', second, {sessionId: 'a', timeoutMs: 100}).granted
    broker.pump(broker.queues.get('s')!.main)
    assert.deepEqual(
      second.deliveries.map(d => [bodyOf(d), d.message.deliveryCount]),
      [
        ['m1', 1],
        ['m2', 0],
      ],
    )
    await broker.close()
  })

  test('session requests without the lock: SessionLockLost; a taken session: SessionCannotBeLocked', async () => {
    const broker = await brokerWith('s', {requiresSession: true})
    assert.equal(await codeOf(() => broker.renewSessionLock('s', 'nobody')), 'SessionLockLost')
    assert.equal(await codeOf(() => broker.getSessionState('s', 'nobody')), 'SessionLockLost')
    assert.equal(await codeOf(broker.setSessionState('s', 'nobody', Buffer.from('x'))), 'SessionLockLost')
    await broker.addSessionConsumer('s', new TestConsumer(), {sessionId: 'held', timeoutMs: 100}).granted
    assert.equal(
      await codeOf(broker.addSessionConsumer('s', new TestConsumer(), {sessionId: 'held', timeoutMs: 100}).granted),
      'SessionCannotBeLocked',
    )
    assert.equal(await codeOf(() => broker.addConsumer('s', new TestConsumer())), 'BadRequest')
    assert.equal(await codeOf(broker.send('s', [message('no session')])), 'BadRequest')
    await broker.close()
  })
})
