// The $management operations through the stock SDK: peek (from a sequence number, counts, message
// states, the dead-letter queue, an empty queue), schedule and cancel (with on-time activation),
// deferral round trips (receive by sequence number, then complete / abandon / defer again /
// dead-letter through update-disposition), renew lock and lost locks.
import assert from 'node:assert/strict'
import {after, before, describe, test} from 'node:test'

import type {PeekMessagesOptions, ServiceBusReceivedMessage, ServiceBusReceiver} from '@azure/service-bus'
import Long from 'long'

import {rejectionOf, startTestEmulator, until, type TestEmulator} from './helpers.js'

const seq = (n: number) => Long.fromNumber(n)
const numbers = (messages: ServiceBusReceivedMessage[]) => messages.map(message => Number(message.sequenceNumber))

async function receiveOne(receiver: ServiceBusReceiver): Promise<ServiceBusReceivedMessage> {
  const [message] = await receiver.receiveMessages(1, {maxWaitTimeInMs: 5000})
  assert.ok(message, 'expected a message')
  return message
}

describe('$management operations', () => {
  let t: TestEmulator
  before(async () => {
    t = await startTestEmulator({
      queues: [
        {name: 'peek'},
        {name: 'empty'},
        {name: 'sched'},
        {name: 'defer', maxDeliveryCount: 5},
        {name: 'locks', lockDuration: 'PT1S'},
      ],
    })
  })
  after(() => t.stop())

  test('peek from a sequence number: counts, states, paging, and nothing changes', async () => {
    const sender = t.client.createSender('peek')
    await sender.sendMessages(Array.from({length: 6}, (_, i) => ({body: `m${i + 1}`})))
    const [scheduled] = await sender.scheduleMessages({body: 'later'}, new Date(Date.now() + 3_600_000))
    assert.equal(Number(scheduled), 7)
    const receiver = t.client.createReceiver('peek')
    const toDefer = await receiveOne(receiver)
    await receiver.deferMessage(toDefer)

    const all = await receiver.peekMessages(100, {fromSequenceNumber: seq(1)})
    assert.deepEqual(numbers(all), [1, 2, 3, 4, 5, 6, 7])
    assert.deepEqual(
      all.map(message => message.state),
      ['deferred', 'active', 'active', 'active', 'active', 'active', 'scheduled'],
    )
    assert.equal(all[6].body, 'later')
    assert.ok(all.every(message => message.lockToken === undefined))

    assert.deepEqual(numbers(await receiver.peekMessages(2, {fromSequenceNumber: seq(3)})), [3, 4])
    // omitMessageBody is an option the SDK sends (omit-message-body) but leaves out of its typings.
    const [bodiless] = await receiver.peekMessages(1, {fromSequenceNumber: seq(3), omitMessageBody: true} as PeekMessagesOptions)
    assert.deepEqual([Number(bodiless.sequenceNumber), bodiless.body, bodiless.messageId !== undefined], [3, undefined, true])
    assert.deepEqual(numbers(await receiver.peekMessages(10, {fromSequenceNumber: seq(8)})), [])
    // Without fromSequenceNumber the SDK resumes after the last one its connection saw, from 1.
    const pager = t.clientFor(t.emulator.connectionString).createReceiver('peek')
    assert.deepEqual(numbers(await pager.peekMessages(3)), [1, 2, 3])
    assert.deepEqual(numbers(await pager.peekMessages(3)), [4, 5, 6])
    assert.deepEqual(numbers(await pager.peekMessages(3)), [7])
    assert.deepEqual(numbers(await pager.peekMessages(3)), [])

    // Peeking locked nothing: the five active messages are all receivable, first delivery.
    const counts = t.emulator.broker.runtimeCounts('peek')
    assert.deepEqual(
      [counts.activeMessageCount, counts.deferredMessageCount, counts.scheduledMessageCount, counts.lockedMessageCount],
      [5, 1, 1, 0],
    )
    const drained = await t.client.createReceiver('peek', {receiveMode: 'receiveAndDelete'}).receiveMessages(10, {maxWaitTimeInMs: 2000})
    assert.deepEqual(
      drained.map(message => message.body),
      ['m2', 'm3', 'm4', 'm5', 'm6'],
    )
    assert.ok(drained.every(message => message.deliveryCount === 0))
  })

  test('peek of an empty queue gives no messages (204); the dead-letter queue peeks on its own', async () => {
    const receiver = t.client.createReceiver('empty')
    assert.deepEqual(await receiver.peekMessages(10), [])
    const sender = t.client.createSender('empty')
    await sender.sendMessages([{body: 'bad'}, {body: 'good'}])
    const message = await receiveOne(receiver)
    await receiver.deadLetterMessage(message, {deadLetterReason: 'Broken', deadLetterErrorDescription: 'cannot parse'})
    const dlq = t.client.createReceiver('empty', {subQueueType: 'deadLetter'})
    const dead = await dlq.peekMessages(10, {fromSequenceNumber: seq(1)})
    assert.deepEqual(
      dead.map(m => [Number(m.sequenceNumber), m.body, m.deadLetterReason, m.deadLetterErrorDescription, m.deadLetterSource]),
      [[1, 'bad', 'Broken', 'cannot parse', 'empty']],
    )
    assert.deepEqual(numbers(await receiver.peekMessages(10, {fromSequenceNumber: seq(1)})), [2])
  })

  test('scheduled messages: sequence numbers at once, activation on time, cancel, unknown numbers refused', async () => {
    const sender = t.client.createSender('sched')
    const receiver = t.client.createReceiver('sched', {receiveMode: 'receiveAndDelete'})
    const dueAt = Date.now() + 700
    const numbersScheduled = await sender.scheduleMessages([{body: 'soon', messageId: 's1'}, {body: 'cancel me'}], new Date(dueAt))
    assert.equal(numbersScheduled.length, 2)
    const far = await sender.scheduleMessages({body: 'far'}, new Date(Date.now() + 3_600_000))
    // A scheduled enqueue time on a plain send schedules it too.
    await sender.sendMessages({body: 'via send', scheduledEnqueueTimeUtc: new Date(dueAt)})
    assert.equal(t.emulator.broker.runtimeCounts('sched').scheduledMessageCount, 4)

    await sender.cancelScheduledMessages([numbersScheduled[1]])
    const error = await rejectionOf(sender.cancelScheduledMessages([seq(999)]))
    assert.equal(error.code, 'MessageNotFound')
    assert.match(error.message, /999/)

    const received: ServiceBusReceivedMessage[] = []
    while (received.length < 2) received.push(...(await receiver.receiveMessages(2, {maxWaitTimeInMs: 5000})))
    const receivedAt = Date.now()
    assert.ok(receivedAt >= dueAt, `delivered ${dueAt - receivedAt} ms early`)
    assert.deepEqual(received.map(message => message.body).sort(), ['soon', 'via send'])
    // Activated as if sent at its time: a new sequence number after the others, enqueued then.
    const soon = received.find(message => message.body === 'soon')!
    assert.ok(Number(soon.sequenceNumber) > Number(far[0]))
    assert.ok(soon.enqueuedTimeUtc!.getTime() >= dueAt - 5)
    assert.equal(soon.scheduledEnqueueTimeUtc?.getTime(), dueAt)
    assert.equal(soon.state, 'active')

    const left = await t.client.createReceiver('sched').peekMessages(10, {fromSequenceNumber: seq(1)})
    assert.deepEqual(
      left.map(message => [message.body, message.state]),
      [['far', 'scheduled']],
    )
    await sender.cancelScheduledMessages(far)
    assert.equal(t.emulator.broker.runtimeCounts('sched').scheduledMessageCount, 0)
  })

  test('deferral: out of the normal flow, received by sequence number, settled every way', async () => {
    const sender = t.client.createSender('defer')
    await sender.sendMessages(['complete', 'abandon', 'again', 'dead', 'delete'].map(body => ({body, messageId: body})))
    const receiver = t.client.createReceiver('defer')
    const deferred = new Map<string, Long>()
    while (deferred.size < 5) {
      for (const message of await receiver.receiveMessages(5, {maxWaitTimeInMs: 2000})) {
        await receiver.deferMessage(message, {step: 'first'})
        deferred.set(message.body as string, message.sequenceNumber!)
      }
    }
    assert.deepEqual(await receiver.receiveMessages(1, {maxWaitTimeInMs: 300}), [], 'deferred messages are not delivered')
    assert.equal(t.emulator.broker.runtimeCounts('defer').deferredMessageCount, 5)

    const [complete, abandon, again, dead] = await receiver.receiveDeferredMessages(
      ['complete', 'abandon', 'again', 'dead'].map(body => deferred.get(body)!),
    )
    assert.deepEqual([complete.body, complete.state, complete.applicationProperties?.step], ['complete', 'deferred', 'first'])
    // Received once, deferred, received again: Azure reports a delivery count of 1.
    assert.equal(complete.deliveryCount, 1)
    assert.ok(complete.lockToken && complete.lockedUntilUtc!.getTime() > Date.now())
    await receiver.completeMessage(complete)
    await receiver.abandonMessage(abandon, {step: 'abandoned'})
    await receiver.deferMessage(again)
    await receiver.deadLetterMessage(dead, {deadLetterReason: 'Invalid', deadLetterErrorDescription: 'no good', extra: 7})

    const peeked = await receiver.peekMessages(10, {fromSequenceNumber: seq(1)})
    assert.deepEqual(
      peeked.map(message => [message.body, message.state]),
      [
        ['abandon', 'deferred'],
        ['again', 'deferred'],
        ['delete', 'deferred'],
      ],
    )
    // Deferred (1), then abandoned (2): each lock that ended without completion counts.
    assert.deepEqual([peeked[0].deliveryCount, peeked[0].applicationProperties?.step], [2, 'abandoned'])
    const [deadLetter] = await t.client.createReceiver('defer', {subQueueType: 'deadLetter'}).peekMessages(1, {fromSequenceNumber: seq(1)})
    assert.deepEqual(
      [deadLetter.body, deadLetter.deadLetterReason, deadLetter.deadLetterErrorDescription, deadLetter.applicationProperties?.extra],
      ['dead', 'Invalid', 'no good', 7],
    )

    // Only deferred messages can be received by sequence number; all or nothing.
    const notDeferred = await rejectionOf(receiver.receiveDeferredMessages([deferred.get('complete')!]))
    assert.equal(notDeferred.code, 'MessageNotFound')
    const deleter = t.client.createReceiver('defer', {receiveMode: 'receiveAndDelete'})
    const [removed] = await deleter.receiveDeferredMessages([deferred.get('delete')!])
    assert.deepEqual([removed.body, removed.lockToken], ['delete', undefined])
    const rest = await receiver.receiveDeferredMessages([deferred.get('abandon')!, deferred.get('again')!])
    for (const message of rest) await receiver.completeMessage(message)
    const counts = t.emulator.broker.runtimeCounts('defer')
    assert.deepEqual([counts.activeMessageCount, counts.deferredMessageCount, counts.deadLetterMessageCount], [0, 0, 1])
  })

  test('renew lock extends it; an expired or settled lock is reported lost', async () => {
    const sender = t.client.createSender('locks')
    await sender.sendMessages([{body: 'renewed'}, {body: 'expires'}])
    const receiver = t.client.createReceiver('locks', {maxAutoLockRenewalDurationInMs: 0})
    const [renewed, expires] = await receiver.receiveMessages(2, {maxWaitTimeInMs: 3000})
    assert.ok(renewed && expires)
    const before = renewed.lockedUntilUtc!.getTime()
    await new Promise(resolve => setTimeout(resolve, 20))
    const after = await receiver.renewMessageLock(renewed)
    assert.ok(after.getTime() > before)
    await until(() => t.emulator.broker.runtimeCounts('locks').lockedMessageCount === 1, 5000, 'the unrenewed lock to expire')
    const lost = await rejectionOf(receiver.completeMessage(expires))
    assert.equal(lost.code, 'MessageLockLost')
    const renewLost = await rejectionOf(receiver.renewMessageLock(expires))
    assert.equal(renewLost.code, 'MessageLockLost')
    await receiver.completeMessage(renewed)
    assert.equal((await rejectionOf(receiver.renewMessageLock(renewed))).code, 'MessageLockLost')
  })

  test('a Listen-only policy cannot schedule; a Send-only one cannot peek', async () => {
    await t.emulator.broker.updateQueue('sched', {
      authorizationRules: [
        {keyName: 'listen', primaryKey: 'bGlzdGVuLWtleS1saXN0ZW4ta2V5LWxpc3Rlbi1rZXk=', rights: ['Listen']},
        {keyName: 'send', primaryKey: 'c2VuZC1rZXktc2VuZC1rZXktc2VuZC1rZXktc2VuZC1r', rights: ['Send']},
      ],
    })
    const listener = t.clientFor(t.emulator.connectionStringFor('listen', 'sched'))
    const sender = t.clientFor(t.emulator.connectionStringFor('send', 'sched'))
    await listener.createReceiver('sched').peekMessages(1)
    const refused = await rejectionOf(listener.createSender('sched').scheduleMessages({body: 'x'}, new Date(Date.now() + 60_000)))
    assert.equal(refused.code, 'UnauthorizedAccess')
    await sender.createSender('sched').scheduleMessages({body: 'x'}, new Date(Date.now() + 60_000))
    assert.equal((await rejectionOf(sender.createReceiver('sched').peekMessages(1))).code, 'UnauthorizedAccess')
  })
})
