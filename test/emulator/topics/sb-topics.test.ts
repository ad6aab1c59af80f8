// Topics and subscriptions through the real SDK: fan-out to every matching subscription (SQL,
// correlation and $Default rules), subscriptions as queues (peek-lock, settle, DLQ, deferral,
// sessions, peek), scheduled topic messages, topic-level SAS policies, and rule actions.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {startTestEmulator, rejectionOf} from '../helpers.js'

test('a topic send is copied to each subscription whose rules match', async () => {
  const t = await startTestEmulator()
  try {
    const {broker} = t.emulator
    await broker.topics.create('events')
    await broker.topics.createSubscription('events', 'all')
    await broker.topics.createSubscription(
      'events',
      'red',
      {},
      {name: 'red', filter: {kind: 'sql', sqlExpression: "color = 'red' AND size > 2"}, createdAt: 0},
    )
    await broker.topics.createSubscription(
      'events',
      'orders',
      {},
      {name: 'orders', filter: {kind: 'correlation', subject: 'order', applicationProperties: {region: 'eu'}}, createdAt: 0},
    )
    const sender = t.client.createSender('events')
    await sender.sendMessages([
      {body: 'a', applicationProperties: {color: 'red', size: 3}},
      {body: 'b', applicationProperties: {color: 'red', size: 1}},
      {body: 'c', subject: 'order', applicationProperties: {region: 'eu'}},
      {body: 'd', subject: 'order', applicationProperties: {region: 'us'}},
    ])
    const bodies = async (subscription: string, count: number) => {
      const receiver = t.client.createReceiver('events', subscription)
      const messages = await receiver.receiveMessages(count, {maxWaitTimeInMs: 2000})
      for (const message of messages) await receiver.completeMessage(message)
      await receiver.close()
      return messages.map(message => message.body as string)
    }
    assert.deepEqual((await bodies('all', 4)).sort(), ['a', 'b', 'c', 'd'])
    assert.deepEqual(await bodies('red', 4), ['a'])
    assert.deepEqual(await bodies('orders', 4), ['c'])
    assert.equal(broker.topics.runtimeCounts('events').subscriptionCount, 3)
  } finally {
    await t.stop()
  }
})

test('copies in different subscriptions carry the topic sequence number; subscriptions settle like queues', async () => {
  const t = await startTestEmulator()
  try {
    const {broker} = t.emulator
    await broker.topics.create('t1')
    await broker.topics.createSubscription('t1', 's1', {maxDeliveryCount: 2})
    await broker.topics.createSubscription('t1', 's2')
    await t.client.createSender('t1').sendMessages([{body: 1}, {body: 2}, {body: 3}])
    const r1 = t.client.createReceiver('t1', 's1')
    const r2 = t.client.createReceiver('t1', 's2')
    const [a1, a2, a3] = await r1.receiveMessages(3, {maxWaitTimeInMs: 2000})
    const [b1] = await r2.receiveMessages(1, {maxWaitTimeInMs: 2000})
    assert.equal(a1.sequenceNumber!.toNumber(), b1.sequenceNumber!.toNumber())
    await r1.completeMessage(a1)
    await r1.deadLetterMessage(a2, {deadLetterReason: 'bad', deadLetterErrorDescription: 'why'})
    await r1.deferMessage(a3)
    const [deferred] = await r1.receiveDeferredMessages(a3.sequenceNumber!)
    assert.equal(deferred.body, 3)
    await r1.completeMessage(deferred)
    const dlq = t.client.createReceiver('t1', 's1', {subQueueType: 'deadLetter'})
    const [dead] = await dlq.receiveMessages(1, {maxWaitTimeInMs: 2000})
    assert.equal(dead.body, 2)
    assert.equal(dead.deadLetterReason, 'bad')
    await dlq.completeMessage(dead)
    // s2 is untouched by s1's settlements
    const peeked = await r2.peekMessages(10)
    assert.deepEqual(
      peeked.map(message => message.body),
      [1, 2, 3],
    )
    const counts = broker.entities.get('t1/subscriptions/s2')!.runtimeCounts()
    assert.equal(counts.activeMessageCount, 3)
    await rejectionOf(t.client.createSender('t1/Subscriptions/s1').sendMessages({body: 'no'}))
  } finally {
    await t.stop()
  }
})

test('max delivery count dead-letters a subscription message; abandon redelivers', async () => {
  const t = await startTestEmulator()
  try {
    const {broker} = t.emulator
    await broker.topics.create('t2')
    await broker.topics.createSubscription('t2', 's', {maxDeliveryCount: 2})
    await t.client.createSender('t2').sendMessages({body: 'x'})
    const receiver = t.client.createReceiver('t2', 's')
    for (let i = 0; i < 2; i++) {
      const [message] = await receiver.receiveMessages(1, {maxWaitTimeInMs: 2000})
      assert.equal(message.deliveryCount, i)
      await receiver.abandonMessage(message)
    }
    const dlq = t.client.createReceiver('t2', 's', {subQueueType: 'deadLetter'})
    const [dead] = await dlq.receiveMessages(1, {maxWaitTimeInMs: 2000})
    assert.equal(dead.deadLetterReason, 'MaxDeliveryCountExceeded')
  } finally {
    await t.stop()
  }
})

test('session subscriptions, scheduled topic messages and rule actions', async () => {
  const t = await startTestEmulator()
  try {
    const {broker} = t.emulator
    await broker.topics.create('t3')
    await broker.topics.createSubscription('t3', 'sessions', {requiresSession: true})
    await broker.topics.createSubscription(
      't3',
      'tagged',
      {},
      {name: 'tag', filter: {kind: 'true'}, action: {sqlExpression: "SET stage = 'routed'; REMOVE secret"}, createdAt: 0},
    )
    const sender = t.client.createSender('t3')
    await sender.sendMessages([{body: 's1', sessionId: 'A', applicationProperties: {secret: 'x', keep: 1}}])
    const session = await t.client.acceptSession('t3', 'sessions', 'A')
    const [inSession] = await session.receiveMessages(1, {maxWaitTimeInMs: 2000})
    assert.equal(inSession.body, 's1')
    await session.completeMessage(inSession)
    await session.close()
    const tagged = t.client.createReceiver('t3', 'tagged')
    const [copy] = await tagged.receiveMessages(1, {maxWaitTimeInMs: 2000})
    assert.deepEqual(copy.applicationProperties, {keep: 1, stage: 'routed'})
    await tagged.completeMessage(copy)

    const [scheduled] = await sender.scheduleMessages({body: 'later', sessionId: 'B'}, new Date(Date.now() + 60_000))
    assert.equal(broker.topics.runtimeCounts('t3').scheduledMessageCount, 1)
    await sender.cancelScheduledMessages(scheduled)
    assert.equal(broker.topics.runtimeCounts('t3').scheduledMessageCount, 0)
    await sender.scheduleMessages({body: 'soon'}, new Date(Date.now() + 200))
    const [soon] = await tagged.receiveMessages(1, {maxWaitTimeInMs: 5000})
    assert.equal(soon.body, 'soon')
  } finally {
    await t.stop()
  }
})

test('topic-level policies: Send on the topic sends, Listen on the topic receives from its subscriptions', async () => {
  const t = await startTestEmulator()
  try {
    const {broker} = t.emulator
    await broker.topics.create('secure', {
      authorizationRules: [
        {keyName: 'pub', primaryKey: 'cHVia2V5cHVia2V5cHVia2V5cHVia2V5', rights: ['Send']},
        {keyName: 'sub', primaryKey: 'c3Via2V5c3Via2V5c3Via2V5c3Via2V5', rights: ['Listen']},
      ],
    })
    await broker.topics.createSubscription('secure', 'one')
    const endpoint = t.emulator.endpoint
    const pub = t.clientFor(
      `Endpoint=${endpoint};SharedAccessKeyName=pub;SharedAccessKey=cHVia2V5cHVia2V5cHVia2V5cHVia2V5;EntityPath=secure;UseDevelopmentEmulator=true`,
    )
    const sub = t.clientFor(
      `Endpoint=${endpoint};SharedAccessKeyName=sub;SharedAccessKey=c3Via2V5c3Via2V5c3Via2V5c3Via2V5;EntityPath=secure;UseDevelopmentEmulator=true`,
    )
    await pub.createSender('secure').sendMessages({body: 'ok'})
    const [message] = await sub.createReceiver('secure', 'one').receiveMessages(1, {maxWaitTimeInMs: 2000})
    assert.equal(message.body, 'ok')
    const refused = await rejectionOf(sub.createSender('secure').sendMessages({body: 'no'}))
    assert.match(refused.message, /Send/)
  } finally {
    await t.stop()
  }
})

test('duplicate detection on the topic; filter evaluation errors dead-letter the copy when the subscription says so', async () => {
  const t = await startTestEmulator()
  try {
    const {broker} = t.emulator
    await broker.topics.create('dedup', {requiresDuplicateDetection: true})
    await broker.topics.createSubscription('dedup', 'all')
    await broker.topics.createSubscription(
      'dedup',
      'broken',
      {},
      {name: 'bad', filter: {kind: 'sql', sqlExpression: 'sys.NoSuchProperty = 1'}, createdAt: 0},
    )
    await broker.topics.createSubscription(
      'dedup',
      'quiet',
      {deadLetteringOnFilterEvaluationExceptions: false},
      {name: 'bad', filter: {kind: 'sql', sqlExpression: 'sys.NoSuchProperty = 1'}, createdAt: 0},
    )
    const sender = t.client.createSender('dedup')
    await sender.sendMessages({body: 'one', messageId: 'same'})
    await sender.sendMessages({body: 'again', messageId: 'same'})
    assert.equal(broker.runtimeCounts('dedup/Subscriptions/all').activeMessageCount, 1)
    const dlq = t.client.createReceiver('dedup', 'broken', {subQueueType: 'deadLetter'})
    const [dead] = await dlq.receiveMessages(1, {maxWaitTimeInMs: 2000})
    assert.equal(dead.deadLetterReason, 'FilterEvaluationException')
    assert.equal(broker.runtimeCounts('dedup/Subscriptions/broken').activeMessageCount, 0)
    assert.equal(broker.runtimeCounts('dedup/Subscriptions/quiet').totalMessageCount, 0)
  } finally {
    await t.stop()
  }
})
