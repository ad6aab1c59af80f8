// A topic's runtime counts as Azure reports them, through the admin client (ATOM, both listing
// and single get) and @azure/arm-servicebus: scheduled messages are held (and counted) at the
// topic, not in its subscriptions (azure-sdk-for-js#10241); SizeInBytes is what the topic holds,
// its subscriptions' copies (dead letters included) and its scheduled messages; CountDetails'
// active and dead-letter counts are the subscriptions' business (0 on the topic).
import assert from 'node:assert/strict'
import {test} from 'node:test'

import type {TopicRuntimeProperties} from '@azure/service-bus'

import {adminClient, rawRequest} from '../admin-helpers.js'
import {armClient} from '../arm-helpers.js'
import {startTestEmulator} from '../helpers.js'

test('TopicRuntimeProperties: subscriptionCount, scheduledMessageCount and sizeInBytes follow what the topic holds', async () => {
  const t = await startTestEmulator()
  try {
    const {emulator} = t
    const admin = adminClient(emulator)
    await admin.createTopic('counted')
    await admin.createSubscription('counted', 'a')
    await admin.createSubscription('counted', 'b')
    const empty = await admin.getTopicRuntimeProperties('counted')
    assert.deepEqual([empty.subscriptionCount, empty.scheduledMessageCount, empty.sizeInBytes], [2, 0, 0])

    const sender = t.client.createSender('counted')
    await sender.sendMessages({body: 'x'.repeat(1000)})
    const [scheduled] = await sender.scheduleMessages({body: 'later'}, new Date(Date.now() + 60 * 60_000))
    const held = await admin.getTopicRuntimeProperties('counted')
    assert.equal(held.scheduledMessageCount, 1)
    const copies = (await admin.getSubscriptionRuntimeProperties('counted', 'a')).totalMessageCount
    assert.equal(copies, 1, 'the scheduled message is not in the subscription yet')
    assert.ok(held.sizeInBytes! > 2000, `two copies of 1000 bytes and a scheduled message, got ${held.sizeInBytes}`)
    let listed: TopicRuntimeProperties | undefined
    for await (const item of admin.listTopicsRuntimeProperties()) if (item.name === 'counted') listed = item
    assert.deepEqual([listed?.subscriptionCount, listed?.scheduledMessageCount, listed?.sizeInBytes], [2, 1, held.sizeInBytes])

    // A dead-lettered copy still takes room in the topic.
    const receiver = t.client.createReceiver('counted', 'a')
    const [message] = await receiver.receiveMessages(1, {maxWaitTimeInMs: 2000})
    await receiver.deadLetterMessage(message)
    assert.equal((await admin.getTopicRuntimeProperties('counted')).sizeInBytes, held.sizeInBytes)

    // The ATOM description carries the same numbers, CountDetails with the scheduled count only.
    const part = (name: string) => new RegExp(`${name}=([^;]+)`).exec(emulator.connectionString)![1]
    const sign = {keyName: part('SharedAccessKeyName'), key: part('SharedAccessKey')}
    const raw = await rawRequest(emulator, {scheme: 'https', path: '/counted?enrich=false&api-version=2021-05', sign})
    assert.equal(raw.status, 200, raw.body)
    assert.match(raw.body, /<SizeInBytes>(\d+)<\/SizeInBytes>/)
    assert.equal(Number(/<SizeInBytes>(\d+)<\/SizeInBytes>/.exec(raw.body)![1]), held.sizeInBytes)
    assert.match(raw.body, /<d2p1:ActiveMessageCount>0<\/d2p1:ActiveMessageCount>/)
    assert.match(raw.body, /<d2p1:ScheduledMessageCount>1<\/d2p1:ScheduledMessageCount>/)
    assert.match(raw.body, /<SubscriptionCount>2<\/SubscriptionCount>/)

    const arm = armClient(emulator)
    const resource = await arm.topics.get('local', 'qjob-emulator', 'counted')
    assert.equal(resource.sizeInBytes, held.sizeInBytes)
    assert.equal(resource.subscriptionCount, 2)
    assert.equal(resource.countDetails?.scheduledMessageCount, 1)

    // Drained: nothing held, nothing counted.
    await sender.cancelScheduledMessages(scheduled)
    await t.client.createReceiver('counted', 'b', {receiveMode: 'receiveAndDelete'}).receiveMessages(1, {maxWaitTimeInMs: 2000})
    await t.client
      .createReceiver('counted', 'a', {subQueueType: 'deadLetter', receiveMode: 'receiveAndDelete'})
      .receiveMessages(1, {maxWaitTimeInMs: 2000})
    const drained = await admin.getTopicRuntimeProperties('counted')
    assert.deepEqual([drained.scheduledMessageCount, drained.sizeInBytes], [0, 0])
  } finally {
    await t.stop()
  }
})
