// The broker core without sockets: a memory store, consumers implemented in the test, and a
// property editor that keeps JSON payloads (the broker treats payloads as opaque bytes).
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'

import {Broker} from '../../src/emulator/servicebus/broker/broker.js'
import {BrokerError} from '../../src/emulator/servicebus/broker/broker-error.js'
import type {Consumer, ReceiveMode} from '../../src/emulator/servicebus/broker/entity.js'
import type {Delivery, PropertyEditor} from '../../src/emulator/servicebus/broker/message.js'
import type {QueueSettings} from '../../src/emulator/servicebus/broker/queue-properties.js'
import {silentLogger} from '../../src/emulator/servicebus/logger.js'
import {MemoryStore} from '../../src/emulator/servicebus/store/memory-store.js'

const jsonEditor: PropertyEditor = {
  setApplicationProperties(payload, properties) {
    const data = JSON.parse(payload.toString())
    return Buffer.from(JSON.stringify({...data, props: {...data.props, ...properties}}))
  },
}

const payload = (body: unknown) => Buffer.from(JSON.stringify({body}))
const bodyOf = (delivery: Delivery) => JSON.parse(delivery.message.payload.toString()).body
const propsOf = (delivery: Delivery) => JSON.parse(delivery.message.payload.toString()).props

class TestConsumer implements Consumer {
  readonly deliveries: Delivery[] = []
  closedWith?: Error
  private waiters: Array<() => void> = []
  constructor(
    readonly mode: ReceiveMode,
    public available = 100,
  ) {}
  credit() {
    return this.available
  }
  deliver(delivery: Delivery) {
    this.available--
    this.deliveries.push(delivery)
    for (const wake of this.waiters.splice(0)) wake()
  }
  close(error: Error) {
    this.closedWith = error
  }
  /** Resolves when at least `count` deliveries arrived. */
  async received(count: number): Promise<Delivery[]> {
    while (this.deliveries.length < count) await new Promise<void>(resolve => this.waiters.push(resolve))
    return this.deliveries
  }
}

async function brokerWith(queue: string, settings: QueueSettings = {}): Promise<Broker> {
  const broker = new Broker({store: new MemoryStore(), propertyEditor: jsonEditor, logger: silentLogger})
  await broker.open()
  await broker.createQueue(queue, settings)
  return broker
}

describe('broker core', () => {
  test('sequence numbers, credit and round robin between consumers', async () => {
    const broker = await brokerWith('q')
    assert.deepEqual(await broker.send('q', [{payload: payload(1)}, {payload: payload(2)}]), [1, 2])
    const a = new TestConsumer('receiveAndDelete', 2)
    const b = new TestConsumer('receiveAndDelete', 1)
    broker.addConsumer('Q', a)
    const handle = broker.addConsumer('q', b)
    handle.creditAdded()
    await broker.send('q', [{payload: payload(3)}, {payload: payload(4)}, {payload: payload(5)}])
    assert.deepEqual([...a.deliveries, ...b.deliveries].map(bodyOf).sort(), [1, 2, 3])
    assert.equal(a.deliveries.length, 2)
    assert.equal(broker.runtimeCounts('q').activeMessageCount, 2)
    b.available = 5
    handle.creditAdded()
    assert.deepEqual(b.deliveries.map(bodyOf).slice(-2), [4, 5])
    await broker.close()
  })

  test('peek-lock: complete removes, abandon raises the delivery count, max delivery count dead-letters', async () => {
    const broker = await brokerWith('q', {maxDeliveryCount: 2})
    await broker.send('q', [{payload: payload('a'), messageId: 'm1'}])
    const consumer = new TestConsumer('peekLock')
    broker.addConsumer('q', consumer)
    const [first] = await consumer.received(1)
    assert.ok(first.lockToken && first.lockedUntilUtc! > Date.now())
    await broker.abandon(first.lockToken!, {retry: 1})
    const second = (await consumer.received(2))[1]
    assert.equal(second.message.deliveryCount, 1)
    assert.deepEqual(propsOf(second), {retry: 1})
    await assert.rejects(broker.complete(first.lockToken!), (error: BrokerError) => error.code === 'MessageLockLost')
    await broker.abandon(second.lockToken!)
    const dead = broker.messageBySequence('q/$DeadLetterQueue', 1)!
    assert.equal(dead.deadLetterSource, 'q')
    assert.deepEqual(JSON.parse(dead.payload.toString()).props, {
      retry: 1,
      DeadLetterReason: 'MaxDeliveryCountExceeded',
      DeadLetterErrorDescription: 'Message could not be consumed after 2 delivery attempts.',
    })
    const dlqConsumer = new TestConsumer('peekLock')
    broker.addConsumer('q/$deadletterqueue', dlqConsumer)
    const [fromDlq] = await dlqConsumer.received(1)
    await broker.complete(fromDlq.lockToken!)
    assert.equal(broker.runtimeCounts('q').totalMessageCount, 0)
    await broker.close()
  })

  test('lock expiry redelivers; renew-lock extends', async () => {
    const broker = await brokerWith('q', {lockDurationMs: 40})
    await broker.send('q', [{payload: payload('x')}])
    const consumer = new TestConsumer('peekLock')
    broker.addConsumer('q', consumer)
    const [first] = await consumer.received(1)
    const renewed = broker.renewLock(first.lockToken!)
    assert.ok(renewed >= first.lockedUntilUtc!)
    const [, second] = await consumer.received(2)
    assert.equal(second.message.sequenceNumber, first.message.sequenceNumber)
    assert.equal(second.message.deliveryCount, 1)
    assert.throws(
      () => broker.renewLock(first.lockToken!),
      (error: BrokerError) => error.code === 'MessageLockLost',
    )
    await broker.close()
  })

  test('TTL: dead-lettered when the queue says so, dropped otherwise; scheduled messages wait', async () => {
    const broker = await brokerWith('dl', {deadLetteringOnMessageExpiration: true})
    await broker.createQueue('drop', {defaultMessageTimeToLiveMs: 30})
    await broker.send('dl', [{payload: payload('old'), timeToLiveMs: 30}])
    await broker.send('drop', [{payload: payload('old')}])
    const dlq = new TestConsumer('receiveAndDelete')
    broker.addConsumer('dl/$DeadLetterQueue', dlq)
    const [dead] = await dlq.received(1)
    assert.equal(propsOf(dead).DeadLetterReason, 'TTLExpiredException')
    while (broker.runtimeCounts('drop').totalMessageCount > 0) await new Promise(resolve => setTimeout(resolve, 5))
    assert.equal(broker.runtimeCounts('drop').deadLetterMessageCount, 0)

    const at = Date.now() + 60
    await broker.send('dl', [{payload: payload('later'), scheduledEnqueueTimeUtc: at}])
    assert.equal(broker.runtimeCounts('dl').scheduledMessageCount, 1)
    const consumer = new TestConsumer('receiveAndDelete')
    broker.addConsumer('dl', consumer)
    assert.equal(consumer.deliveries.length, 0)
    const [later] = await consumer.received(1)
    assert.ok(Date.now() >= at)
    assert.equal(bodyOf(later), 'later')
    await broker.close()
  })

  test('duplicate detection, size limits, disabled and unknown entities', async () => {
    const broker = await brokerWith('q', {requiresDuplicateDetection: true, maxMessageSizeInKilobytes: 1, maxSizeInMegabytes: 0.0015})
    assert.deepEqual(
      await broker.send('q', [
        {payload: payload(1), messageId: 'a'},
        {payload: payload(2), messageId: 'a'},
      ]),
      [1],
    )
    assert.deepEqual(await broker.send('q', [{payload: payload(3), messageId: 'a'}]), [])
    await assert.rejects(broker.send('q', [{payload: Buffer.alloc(2000)}]), (error: BrokerError) => error.code === 'MessageSizeExceeded')
    await broker.send('q', [{payload: Buffer.alloc(1000)}])
    await assert.rejects(broker.send('q', [{payload: Buffer.alloc(1000)}]), (error: BrokerError) => error.code === 'QuotaExceeded')
    await broker.updateQueue('q', {status: 'SendDisabled'})
    await assert.rejects(broker.send('q', [{payload: payload(4)}]), (error: BrokerError) => error.code === 'EntityDisabled')
    await assert.rejects(
      broker.send('nope', [{payload: payload(4)}]),
      (error: BrokerError) => error.code === 'EntityNotFound' && /'nope' could not be found/.test(error.message),
    )
    await assert.rejects(broker.createQueue('Q'), (error: BrokerError) => error.code === 'EntityAlreadyExists')
    await assert.rejects(broker.createQueue('bad$name'), (error: BrokerError) => error.code === 'BadRequest')
    await broker.close()
  })

  test('deleting a queue closes its consumers and forgets its messages', async () => {
    const broker = await brokerWith('q')
    const consumer = new TestConsumer('peekLock', 0)
    broker.addConsumer('q', consumer)
    await broker.send('q', [{payload: payload(1)}])
    await broker.deleteQueue('q')
    assert.equal((consumer.closedWith as BrokerError).code, 'EntityNotFound')
    assert.equal(broker.getQueue('q'), undefined)
    assert.deepEqual(broker.listQueues(), [])
    await broker.close()
  })
})
