// Sessions through the stock SDK: session-less sends and receivers refused on a session queue,
// two competing session receivers (each session in order to one receiver at a time), a named
// session that is taken, waiting for the next free session and timing out, the session lock
// (renewal and expiry), session-scoped peek and deferral, and session state across a restart.
import assert from 'node:assert/strict'
import {after, before, describe, test} from 'node:test'

import {ServiceBusClient, type ServiceBusSessionReceiver} from '@azure/service-bus'
import Long from 'long'

import {startServiceBusEmulator} from '../../src/emulator/servicebus/index.js'
import {tempDir} from '../helpers/cli.js'
import {FAST_FAIL, rejectionOf, startTestEmulator, until, type TestEmulator} from './helpers.js'

/** A client whose acceptNextSession gives up after `ms` (the SDK passes it as com.microsoft:timeout). */
const shortTimeout = (ms: number) => ({retryOptions: {maxRetries: 0, timeoutInMs: ms}})

async function receiveAll(receiver: ServiceBusSessionReceiver, count: number): Promise<unknown[]> {
  const bodies: unknown[] = []
  while (bodies.length < count) {
    const batch = await receiver.receiveMessages(count - bodies.length, {maxWaitTimeInMs: 2000})
    if (batch.length === 0) break
    for (const message of batch) {
      bodies.push(message.body)
      await receiver.completeMessage(message)
    }
  }
  return bodies
}

describe('sessions', () => {
  let t: TestEmulator
  before(async () => {
    t = await startTestEmulator({
      queues: [{name: 'orders', requiresSession: true}, {name: 'short', requiresSession: true, lockDuration: 'PT1S'}, {name: 'plain'}],
    })
  })
  after(() => t.stop())

  test('a session queue refuses messages without a session id and receivers without a session', async () => {
    const sender = t.client.createSender('orders')
    const refused = await rejectionOf(sender.sendMessages({body: 'no session'}))
    assert.match(refused.message, /The SessionId was not set on a message, and it cannot be sent to the entity/)
    assert.equal((await rejectionOf(sender.scheduleMessages({body: 'no session'}, new Date(Date.now() + 60_000)))).code, refused.code)
    const receiverError = await rejectionOf(t.client.createReceiver('orders').receiveMessages(1, {maxWaitTimeInMs: 2000}))
    assert.match(receiverError.message, /requires sessions/)
    assert.match((await rejectionOf(t.client.acceptSession('plain', 'x'))).message, /does not require sessions/)
    assert.equal(t.emulator.broker.runtimeCounts('orders').activeMessageCount, 0)
  })

  test('two competing receivers: each session goes in order to one receiver at a time', async () => {
    const sender = t.client.createSender('orders')
    const sent: Record<string, number[]> = {a: [], b: []}
    const batch = []
    for (let i = 0; i < 20; i++) {
      const session = i % 2 === 0 ? 'a' : 'b'
      sent[session].push(i)
      batch.push({body: i, sessionId: session})
    }
    await sender.sendMessages(batch)

    const first = await t.client.acceptNextSession('orders')
    const other = t.clientFor(t.emulator.connectionString)
    const second = await other.acceptNextSession('orders')
    assert.deepEqual([first.sessionId, second.sessionId].sort(), ['a', 'b'])
    assert.ok(first.sessionLockedUntilUtc!.getTime() > Date.now())

    // A third receiver finds no free session and waits; a named one that is taken is refused.
    const taken = await rejectionOf(t.clientFor(t.emulator.connectionString).acceptSession('orders', first.sessionId))
    assert.equal(taken.code, 'SessionCannotBeLocked')
    const third = t.clientFor(t.emulator.connectionString, shortTimeout(5000)).acceptNextSession('orders')

    const [firstBodies, secondBodies] = await Promise.all([receiveAll(first, 5), receiveAll(second, 10)])
    assert.deepEqual(firstBodies, sent[first.sessionId].slice(0, 5))
    assert.deepEqual(secondBodies, sent[second.sessionId])
    // Closing the first receiver frees its session (5 messages left): the waiting one gets it.
    await first.close()
    const waiting = await third
    assert.equal(waiting.sessionId, first.sessionId)
    assert.deepEqual(await receiveAll(waiting, 5), sent[first.sessionId].slice(5))
    await waiting.close()
    await second.close()

    const none = await rejectionOf(t.clientFor(t.emulator.connectionString, shortTimeout(800)).acceptNextSession('orders'))
    assert.equal(none.code, 'ServiceTimeout')
  })

  test('the session lock: renewal extends it; on expiry the receiver loses it and the messages come back', async () => {
    await t.client.createSender('short').sendMessages([
      {body: 'one', sessionId: 's'},
      {body: 'two', sessionId: 's'},
    ])
    const receiver = await t.client.acceptSession('short', 's', {maxAutoLockRenewalDurationInMs: 0})
    const firstLock = receiver.sessionLockedUntilUtc!.getTime()
    const [one] = await receiver.receiveMessages(1, {maxWaitTimeInMs: 2000})
    assert.equal(one.body, 'one')
    await new Promise(resolve => setTimeout(resolve, 20))
    const renewed = await receiver.renewSessionLock()
    assert.ok(renewed.getTime() > firstLock)

    // On expiry the emulator detaches the link with session-lock-lost and the SDK closes the receiver.
    await until(() => receiver.isClosed, 5000, 'the session lock to expire')
    assert.equal(t.emulator.broker.runtimeCounts('short').lockedMessageCount, 0)
    const lost = await rejectionOf(receiver.completeMessage(one))
    assert.equal(lost.code, 'SessionLockLost')
    const again = await t.client.acceptSession('short', 's')
    const [redelivered] = await again.receiveMessages(1, {maxWaitTimeInMs: 2000})
    assert.deepEqual([redelivered.body, redelivered.deliveryCount], ['one', 1])
    await again.completeMessage(redelivered)
    const renewLost = await rejectionOf(receiver.renewSessionLock())
    assert.equal(renewLost.code, 'SessionLockLost')
    await again.close()
  })

  test('session-scoped peek and deferral', async () => {
    await t.client.createSender('orders').sendMessages([
      {body: 'x1', sessionId: 'x'},
      {body: 'y1', sessionId: 'y'},
      {body: 'x2', sessionId: 'x'},
    ])
    const receiver = await t.client.acceptSession('orders', 'x')
    const peeked = await receiver.peekMessages(10, {fromSequenceNumber: Long.fromNumber(1)})
    assert.deepEqual(
      peeked.map(message => message.body),
      ['x1', 'x2'],
    )
    const [x1] = await receiver.receiveMessages(1, {maxWaitTimeInMs: 2000})
    await receiver.deferMessage(x1)
    const [x2] = await receiver.receiveMessages(1, {maxWaitTimeInMs: 2000})
    assert.equal(x2.body, 'x2')
    await receiver.completeMessage(x2)
    const [deferred] = await receiver.receiveDeferredMessages([x1.sequenceNumber!])
    assert.deepEqual([deferred.body, deferred.sessionId, deferred.state], ['x1', 'x', 'deferred'])
    await receiver.completeMessage(deferred)
    await receiver.close()
    const y = await t.client.acceptSession('orders', 'y')
    assert.deepEqual(await receiveAll(y, 1), ['y1'])
    await y.close()
  })
})

test('session state survives a restart', async () => {
  const dir = tempDir('qjob-sb-session-')
  const queues = [{name: 'carts', requiresSession: true}]
  let emulator = await startServiceBusEmulator({port: 0, dataDir: dir.path, queues})
  let client = new ServiceBusClient(emulator.connectionString, FAST_FAIL)
  try {
    await client.createSender('carts').sendMessages({body: 'item', sessionId: 'cart-1'})
    let receiver = await client.acceptSession('carts', 'cart-1')
    assert.equal(await receiver.getSessionState(), null)
    await receiver.setSessionState({items: 3, last: 'item'})
    await receiver.close()
    const empty = await client.acceptSession('carts', 'no-messages')
    await empty.setSessionState('kept without messages')
    await empty.close()
    await client.close()
    await emulator.close()

    emulator = await startServiceBusEmulator({port: 0, dataDir: dir.path, queues})
    client = new ServiceBusClient(emulator.connectionString, FAST_FAIL)
    receiver = await client.acceptSession('carts', 'cart-1')
    assert.deepEqual(await receiver.getSessionState(), {items: 3, last: 'item'})
    await receiver.setSessionState(null)
    assert.equal(await receiver.getSessionState(), null)
    await receiver.close()
    const kept = await client.acceptSession('carts', 'no-messages')
    assert.equal(await kept.getSessionState(), 'kept without messages')
  } finally {
    await client.close()
    await emulator.close()
    dir.cleanup()
  }
})
