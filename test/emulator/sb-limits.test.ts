// Locks, delivery counts, TTL, duplicate detection and size limits, with the real SDK. Queues use
// short lock durations and TTLs; waits are for the emulator's own events, not fixed sleeps.
import assert from 'node:assert/strict'
import {after, before, describe, test} from 'node:test'

import {rejectionOf, startTestEmulator, until, type TestEmulator} from './helpers.js'

let t: TestEmulator
const NO_RENEWAL = {maxAutoLockRenewalDurationInMs: 0}

before(async () => {
  t = await startTestEmulator({
    queues: [
      {name: 'short-lock', lockDuration: 'PT0.3S'},
      {name: 'lock-lost', lockDuration: 'PT0.3S'},
      {name: 'max-delivery', maxDeliveryCount: 2},
      {name: 'expiring-lock', lockDuration: 'PT0.3S', maxDeliveryCount: 1},
      {name: 'ttl-dead-letter', deadLetteringOnMessageExpiration: true},
      {name: 'ttl-drop', defaultMessageTimeToLive: 'PT0.2S'},
      {name: 'dedupe', requiresDuplicateDetection: true, duplicateDetectionHistoryTimeWindow: 'PT1M'},
      {name: 'small-messages', maxMessageSizeInKilobytes: 1},
      {name: 'small-queue', maxSizeInMegabytes: 1},
    ],
  })
})
after(() => t.stop())

describe('locks and delivery counts', () => {
  test('an expired lock makes the message available again with its delivery count raised', async () => {
    await t.client.createSender('short-lock').sendMessages({body: 'slow'})
    const receiver = t.client.createReceiver('short-lock', NO_RENEWAL)
    const [first] = await receiver.receiveMessages(1, {maxWaitTimeInMs: 5000})
    assert.equal(first.deliveryCount, 0)
    const lockedFor = first.lockedUntilUtc!.getTime() - Date.now()
    assert.ok(lockedFor > 0 && lockedFor <= 300, `locked for the queue's 0.3 s, got ${lockedFor} ms`)
    const [second] = await receiver.receiveMessages(1, {maxWaitTimeInMs: 5000})
    assert.equal(second.sequenceNumber!.toNumber(), first.sequenceNumber!.toNumber())
    assert.equal(second.deliveryCount, 1)
    await receiver.completeMessage(second)
  })

  test('renewMessageLock ($management renew-lock) extends the lock; a lost lock is reported', async () => {
    await t.client.createSender('short-lock').sendMessages({body: 'renew me'})
    const receiver = t.client.createReceiver('short-lock', NO_RENEWAL)
    const [message] = await receiver.receiveMessages(1, {maxWaitTimeInMs: 5000})
    const before = message.lockedUntilUtc!.getTime()
    const renewed = await receiver.renewMessageLock(message)
    assert.ok(renewed.getTime() >= before, `renewed to ${renewed.toISOString()}`)
    assert.equal(message.lockedUntilUtc!.getTime(), renewed.getTime())
    await receiver.completeMessage(message)
    const lost = await rejectionOf(receiver.renewMessageLock(message))
    assert.equal(lost.code, 'MessageLockLost')
  })

  test('settling after the lock expired gives the SDK lock-lost error', async () => {
    await t.client.createSender('lock-lost').sendMessages({body: 'late'})
    const receiver = t.client.createReceiver('lock-lost', NO_RENEWAL)
    const [message] = await receiver.receiveMessages(1, {maxWaitTimeInMs: 5000})
    await until(() => t.emulator.broker.runtimeCounts('lock-lost').lockedMessageCount === 0, 5000, 'lock expiry')
    const error = await rejectionOf(receiver.completeMessage(message))
    assert.equal(error.code, 'MessageLockLost')
    const [again] = await receiver.receiveMessages(1, {maxWaitTimeInMs: 5000})
    assert.equal(again.deliveryCount, 1)
    await receiver.completeMessage(again)
    assert.equal(t.emulator.broker.runtimeCounts('lock-lost').totalMessageCount, 0)
  })

  test('past the max delivery count a message is dead-lettered with MaxDeliveryCountExceeded', async () => {
    await t.client.createSender('max-delivery').sendMessages({body: 'poison'})
    const receiver = t.client.createReceiver('max-delivery', NO_RENEWAL)
    for (let attempt = 0; attempt < 2; attempt++) {
      const [message] = await receiver.receiveMessages(1, {maxWaitTimeInMs: 5000})
      assert.equal(message.deliveryCount, attempt)
      await receiver.abandonMessage(message)
    }
    assert.deepEqual(await receiver.receiveMessages(1, {maxWaitTimeInMs: 200}), [])
    const [dead] = await t.client
      .createReceiver('max-delivery', {subQueueType: 'deadLetter', receiveMode: 'receiveAndDelete'})
      .receiveMessages(1, {maxWaitTimeInMs: 5000})
    assert.equal(dead.body, 'poison')
    assert.equal(dead.deadLetterReason, 'MaxDeliveryCountExceeded')
    assert.equal(dead.deadLetterSource, 'max-delivery')
    assert.equal(dead.deliveryCount, 2)
  })

  test('lock expiries count as deliveries too', async () => {
    await t.client.createSender('expiring-lock').sendMessages({body: 'never settled'})
    const receiver = t.client.createReceiver('expiring-lock', NO_RENEWAL)
    await receiver.receiveMessages(1, {maxWaitTimeInMs: 5000})
    const dlq = t.client.createReceiver('expiring-lock', {subQueueType: 'deadLetter'})
    const [dead] = await dlq.receiveMessages(1, {maxWaitTimeInMs: 5000})
    assert.equal(dead.deadLetterReason, 'MaxDeliveryCountExceeded')
    await dlq.completeMessage(dead)
  })
})

describe('time to live', () => {
  test('expired messages are dead-lettered with TTLExpiredException when the queue says so', async () => {
    await t.client.createSender('ttl-dead-letter').sendMessages([{body: 'short', timeToLive: 150}, {body: 'long'}])
    const dlq = t.client.createReceiver('ttl-dead-letter', {subQueueType: 'deadLetter', receiveMode: 'receiveAndDelete'})
    const [dead] = await dlq.receiveMessages(1, {maxWaitTimeInMs: 5000})
    assert.equal(dead.body, 'short')
    assert.equal(dead.deadLetterReason, 'TTLExpiredException')
    assert.equal(dead.timeToLive, 150)
    const [alive] = await t.client
      .createReceiver('ttl-dead-letter', {receiveMode: 'receiveAndDelete'})
      .receiveMessages(1, {maxWaitTimeInMs: 5000})
    assert.equal(alive.body, 'long')
  })

  test('without dead-lettering on expiration, expired messages are dropped (queue default TTL)', async () => {
    await t.client.createSender('ttl-drop').sendMessages([{body: 'a'}, {body: 'b', timeToLive: 60_000}])
    const [stored] = [t.emulator.broker.messageBySequence('ttl-drop', 2)!]
    assert.equal(stored.expiresAtUtc! - stored.enqueuedTimeUtc, 200, 'the queue default caps a longer message TTL')
    await until(() => t.emulator.broker.runtimeCounts('ttl-drop').totalMessageCount === 0, 5000, 'expiry')
    assert.equal(t.emulator.broker.runtimeCounts('ttl-drop').deadLetterMessageCount, 0)
    assert.deepEqual(await t.client.createReceiver('ttl-drop').receiveMessages(1, {maxWaitTimeInMs: 200}), [])
  })
})

describe('duplicate detection and size limits', () => {
  test('a message id seen within the window is accepted but not enqueued again', async () => {
    const sender = t.client.createSender('dedupe')
    await sender.sendMessages({body: 1, messageId: 'order-1'})
    await sender.sendMessages({body: 2, messageId: 'order-1'})
    await sender.sendMessages([
      {body: 3, messageId: 'order-2'},
      {body: 4, messageId: 'order-2'},
      {body: 5, messageId: 'order-3'},
    ])
    const received = await t.client.createReceiver('dedupe', {receiveMode: 'receiveAndDelete'}).receiveMessages(10, {maxWaitTimeInMs: 500})
    assert.deepEqual(
      received.map(m => [m.messageId, m.body]),
      [
        ['order-1', 1],
        ['order-2', 3],
        ['order-3', 5],
      ],
    )
  })

  test('a message over the queue limit is refused with MessageSizeExceeded; batches respect the link limit', async () => {
    const sender = t.client.createSender('small-messages')
    const error = await rejectionOf(sender.sendMessages({body: Buffer.alloc(2048)}))
    assert.equal(error.code, 'MessageSizeExceeded')
    const batch = await sender.createMessageBatch()
    assert.equal(batch.maxSizeInBytes, 1024)
    assert.equal(batch.tryAddMessage({body: Buffer.alloc(2048)}), false)
    await sender.sendMessages({body: Buffer.alloc(500)})
    assert.equal(t.emulator.broker.runtimeCounts('small-messages').activeMessageCount, 1)
  })

  test('a full queue refuses sends with QuotaExceeded', async () => {
    const sender = t.client.createSender('small-queue')
    const chunk = Buffer.alloc(250 * 1024)
    for (let i = 0; i < 4; i++) await sender.sendMessages({body: chunk})
    const error = await rejectionOf(sender.sendMessages({body: chunk}))
    assert.equal(error.code, 'QuotaExceeded')
    assert.equal(t.emulator.broker.runtimeCounts('small-queue').activeMessageCount, 4)
    await t.client.createReceiver('small-queue', {receiveMode: 'receiveAndDelete'}).receiveMessages(1, {maxWaitTimeInMs: 5000})
    await sender.sendMessages({body: chunk})
  })
})
