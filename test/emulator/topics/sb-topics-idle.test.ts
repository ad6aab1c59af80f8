// AutoDeleteOnIdle for topics and subscriptions, with Azure's idea of "idle" (message-expiration
// docs, "Idleness"): a subscription is idle without receives, updates, new rules or peeks (copies
// arriving from its topic do not count); a topic without sends, updates, scheduled messages or
// activity of its subscriptions; auto-forwarding counts as receiving. The broker's clock is moved
// on (Azure's minimum interval is 5 minutes) and the reaper's check run directly.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {deleteIdleEntities} from '../../../src/emulator/servicebus/broker/idle-queues.js'
import {adminClient} from '../admin-helpers.js'
import {startTestEmulator} from '../helpers.js'

const MINUTE = 60_000

test('idle subscriptions and topics are deleted after their interval; receives, rules, sends and forwarding are activity', async () => {
  let offsetMs = 0
  const t = await startTestEmulator({now: () => Date.now() + offsetMs})
  try {
    const {broker} = t.emulator
    const admin = adminClient(t.emulator)
    await admin.createQueue('sink')
    await admin.createTopic('news', {autoDeleteOnIdle: 'PT10M'})
    for (const name of ['unread', 'read', 'ruled']) await admin.createSubscription('news', name, {autoDeleteOnIdle: 'PT5M'})
    await admin.createSubscription('news', 'relay', {autoDeleteOnIdle: 'PT5M', forwardTo: 'sink'})
    assert.equal((await admin.getSubscription('news', 'read')).autoDeleteOnIdle, 'PT5M')
    await admin.createTopic('planned', {autoDeleteOnIdle: 'PT5M'})
    await admin.createSubscription('planned', 'all')
    await t.client.createSender('planned').scheduleMessages({body: 'much later'}, new Date(Date.now() + 60 * MINUTE))

    offsetMs += 4 * MINUTE
    await t.client.createSender('news').sendMessages({body: 'copied to every subscription'})
    const reader = t.client.createReceiver('news', 'read', {receiveMode: 'receiveAndDelete'})
    assert.equal((await reader.receiveMessages(1, {maxWaitTimeInMs: 2000})).length, 1)
    await reader.close()
    await broker.topics.putRule('news', 'ruled', {name: 'late', filter: {kind: 'true'}, createdAt: broker.now()})

    offsetMs += 2 * MINUTE // 6 minutes: 'unread' had copies but no receive since its creation
    assert.deepEqual(await deleteIdleEntities(broker), ['news/Subscriptions/unread'])

    offsetMs += 4 * MINUTE // 10 minutes: 5 since the receive and the new rule
    assert.deepEqual((await deleteIdleEntities(broker)).sort(), ['news/Subscriptions/read', 'news/Subscriptions/ruled'])
    assert.ok(broker.topics.getSubscription('news', 'relay'), 'a subscription that forwards is never idle')
    assert.ok(broker.topics.get('news'), "the topic's last send and its subscriptions' activity were 6 minutes ago")
    assert.ok(broker.topics.get('planned'), 'a topic holding a scheduled message is not idle')

    offsetMs += 5 * MINUTE // 15 minutes: 11 since the send; 'relay' forwards but the topic has no send, update or use
    assert.deepEqual(await deleteIdleEntities(broker), [])
    await broker.topics.updateSubscription('news', 'relay', {forwardTo: ''})
    offsetMs += 11 * MINUTE // the update was activity of a subscription, hence of the topic
    assert.deepEqual(await deleteIdleEntities(broker), ['news/Subscriptions/relay', 'news'])
    assert.equal(broker.topics.get('news'), undefined)
    assert.ok(broker.getQueue('sink'))
  } finally {
    await t.stop()
  }
})
