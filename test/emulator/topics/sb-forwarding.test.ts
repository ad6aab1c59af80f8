// Auto-forwarding through the real SDK: a queue forwarding to a topic, a subscription forwarding
// to a queue, dead letters forwarded (ForwardDeadLetteredMessagesTo) from a queue and from a
// subscription, chains capped at four hops, set through the admin client and through the broker.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {adminClient} from '../admin-helpers.js'
import {startTestEmulator} from '../helpers.js'

test('ForwardTo and ForwardDeadLetteredMessagesTo move messages on, as Azure chains entities', async () => {
  const t = await startTestEmulator()
  try {
    const admin = adminClient(t.emulator)
    await admin.createQueue('final')
    await admin.createQueue('dead-letters')
    await admin.createTopic('hub')
    const sub = await admin.createSubscription('hub', 'relay', {
      forwardTo: 'final',
      forwardDeadLetteredMessagesTo: 'dead-letters',
      maxDeliveryCount: 1,
    })
    assert.match(sub.forwardTo ?? '', /^sb:\/\/.+\/final$/, 'the admin client sends, and Azure answers, a full URL')
    const entry = await admin.createQueue('entry', {forwardTo: 'hub'})
    assert.match(entry.forwardTo ?? '', /\/hub$/)
    await admin.createQueue('fragile', {forwardDeadLetteredMessagesTo: 'dead-letters'})

    // entry -> hub -> relay -> final
    await t.client.createSender('entry').sendMessages({body: 'through', applicationProperties: {hop: 0}})
    const final = t.client.createReceiver('final')
    const [arrived] = await final.receiveMessages(1, {maxWaitTimeInMs: 2000})
    assert.equal(arrived.body, 'through')
    await final.completeMessage(arrived)
    assert.equal((await admin.getSubscriptionRuntimeProperties('hub', 'relay')).totalMessageCount, 0)
    assert.equal((await admin.getQueueRuntimeProperties('entry')).totalMessageCount, 0)

    // A dead-lettered message of a queue that forwards dead letters goes to the named queue.
    await t.client.createSender('fragile').sendMessages({body: 'doomed'})
    const fragile = t.client.createReceiver('fragile')
    const [doomed] = await fragile.receiveMessages(1, {maxWaitTimeInMs: 2000})
    await fragile.deadLetterMessage(doomed, {deadLetterReason: 'nope', deadLetterErrorDescription: 'because'})
    const deadLetters = t.client.createReceiver('dead-letters')
    const [forwarded] = await deadLetters.receiveMessages(1, {maxWaitTimeInMs: 2000})
    assert.equal(forwarded.body, 'doomed')
    assert.equal(forwarded.applicationProperties?.DeadLetterReason, 'nope')
    await deadLetters.completeMessage(forwarded)
    assert.equal((await admin.getQueueRuntimeProperties('fragile')).deadLetterMessageCount, 0)

    // Chains stop after four hops: the message stays in the fifth entity.
    for (const name of ['c5', 'c4', 'c3', 'c2', 'c1'])
      await admin.createQueue(name, name === 'c5' ? {} : {forwardTo: `c${Number(name[1]) + 1}`})
    await admin.createQueue('c0', {forwardTo: 'c1'})
    await t.client.createSender('c0').sendMessages({body: 'far'})
    assert.equal(t.emulator.broker.runtimeCounts('c4').activeMessageCount, 1)
    assert.equal(t.emulator.broker.runtimeCounts('c5').activeMessageCount, 0)
  } finally {
    await t.stop()
  }
})

test('a subscription that forwards dead letters sends max-delivery dead letters on', async () => {
  const t = await startTestEmulator()
  try {
    const {broker} = t.emulator
    await broker.createQueue('graveyard')
    await broker.topics.create('news')
    await broker.topics.createSubscription('news', 'picky', {maxDeliveryCount: 1, forwardDeadLetteredMessagesTo: 'graveyard'})
    await t.client.createSender('news').sendMessages({body: 'once'})
    const receiver = t.client.createReceiver('news', 'picky')
    const [message] = await receiver.receiveMessages(1, {maxWaitTimeInMs: 2000})
    await receiver.abandonMessage(message)
    const [buried] = await t.client.createReceiver('graveyard').receiveMessages(1, {maxWaitTimeInMs: 2000})
    assert.equal(buried.body, 'once')
    assert.equal(buried.applicationProperties?.DeadLetterReason, 'MaxDeliveryCountExceeded')
    assert.equal(broker.runtimeCounts('news/Subscriptions/picky').deadLetterMessageCount, 0)
  } finally {
    await t.stop()
  }
})

test('a forward to an entity that does not exist is refused at create and update, as Azure does (400, SubCode=40400)', async () => {
  const t = await startTestEmulator()
  try {
    const admin = adminClient(t.emulator)
    await admin.createTopic('orders')
    await admin.createQueue('sink')
    const refused = async (operation: Promise<unknown>) => {
      const error = (await operation.then(
        () => undefined,
        (caught: unknown) => caught,
      )) as {statusCode?: number; code?: string; message: string} | undefined
      assert.ok(error, 'refused')
      assert.equal(error.statusCode, 400)
      assert.equal(error.code, 'ServiceError')
      assert.match(error.message, /SubCode=40400\. The auto forwarding destination entity does not exist/)
      return error
    }
    const missing = await refused(admin.createSubscription('orders', 'lost', {forwardTo: 'nowhere'}))
    assert.match(missing.message, /nowhere/)
    await refused(admin.createSubscription('orders', 'lost', {forwardDeadLetteredMessagesTo: 'nowhere'}))
    assert.equal(t.emulator.broker.topics.getSubscription('orders', 'lost'), undefined, 'nothing created')
    await refused(admin.createQueue('lost-queue', {forwardTo: 'nowhere'}))
    assert.equal(t.emulator.broker.getQueue('lost-queue'), undefined)
    // A subscription is no forwarding destination either (only queues and topics are).
    await admin.createSubscription('orders', 'kept')
    await refused(admin.createQueue('lost-queue', {forwardTo: 'orders/Subscriptions/kept'}))

    const kept = await admin.getSubscription('orders', 'kept')
    await refused(admin.updateSubscription({...kept, forwardTo: 'nowhere'}))
    const queue = await admin.getQueue('sink')
    await refused(admin.updateQueue({...queue, forwardDeadLetteredMessagesTo: 'nowhere'}))
    assert.equal(t.emulator.broker.getQueue('sink')?.forwardDeadLetteredMessagesTo, undefined)
    // Existing destinations still work, by name or by the admin client's full URL.
    await admin.updateSubscription({...kept, forwardTo: 'sink'})
    assert.match((await admin.getSubscription('orders', 'kept')).forwardTo ?? '', /\/sink$/)
  } finally {
    await t.stop()
  }
})
