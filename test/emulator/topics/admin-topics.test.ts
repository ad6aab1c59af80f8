// The stock ServiceBusAdministrationClient against the emulator's ATOM API for topics,
// subscriptions and rules: create / get / update / list (paged) / delete, runtime properties,
// the $Default rule, SQL and correlation rules with parameters and actions, invalid SQL refused
// at creation, and a topic with three subscriptions working end to end through the SDK.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {startTestEmulator, rejectionOf} from '../helpers.js'
import {adminClient} from '../admin-helpers.js'

test('topics, subscriptions and rules through the admin client, then messages through them', async () => {
  const t = await startTestEmulator()
  try {
    const admin = adminClient(t.emulator)
    const topic = await admin.createTopic('orders', {
      defaultMessageTimeToLive: 'PT1H',
      requiresDuplicateDetection: true,
      maxSizeInMegabytes: 2048,
    })
    assert.equal(topic.name, 'orders')
    assert.equal(topic.defaultMessageTimeToLive, 'PT1H')
    assert.equal(topic.requiresDuplicateDetection, true)
    assert.equal((await admin.getTopic('orders')).maxSizeInMegabytes, 2048)
    assert.equal(await admin.topicExists('orders'), true)
    assert.equal(await admin.topicExists('nope'), false)
    assert.equal((await rejectionOf(admin.createTopic('orders'))).code, 'MessageEntityAlreadyExistsError')

    const all = await admin.createSubscription('orders', 'all', {maxDeliveryCount: 3, lockDuration: 'PT30S'})
    assert.equal(all.subscriptionName, 'all')
    assert.equal(all.topicName, 'orders')
    assert.equal(all.maxDeliveryCount, 3)
    assert.equal(all.lockDuration, 'PT30S')
    await admin.createSubscription('orders', 'big', {
      defaultRuleOptions: {name: 'big', filter: {sqlExpression: 'amount > @min', sqlParameters: {'@min': 100}}},
    })
    await admin.createSubscription('orders', 'eu')
    const rules = await admin.listRules('orders', 'eu').byPage().next()
    assert.deepEqual(
      rules.value.map((rule: {name: string}) => rule.name),
      ['$Default'],
    )
    await admin.deleteRule('orders', 'eu', '$Default')
    await admin.createRule(
      'orders',
      'eu',
      'region',
      {correlationId: 'c1', applicationProperties: {region: 'eu'}},
      {sqlExpression: "SET routed = 'eu'"},
    )
    const region = await admin.getRule('orders', 'eu', 'region')
    assert.deepEqual(region.filter, {
      correlationId: 'c1',
      subject: undefined,
      to: undefined,
      replyTo: undefined,
      replyToSessionId: undefined,
      sessionId: undefined,
      messageId: undefined,
      contentType: undefined,
      applicationProperties: {region: 'eu'},
    })
    assert.equal(region.action.sqlExpression, "SET routed = 'eu'")
    const big = await admin.getRule('orders', 'big', 'big')
    assert.deepEqual(big.filter, {sqlExpression: 'amount > @min', sqlParameters: {'@min': 100}})
    const refused = await rejectionOf(admin.createRule('orders', 'eu', 'broken', {sqlExpression: "amount >>> 'x"}))
    assert.match(refused.message, /not valid/)

    const sender = t.client.createSender('orders')
    await sender.sendMessages([
      {body: 1, correlationId: 'c1', applicationProperties: {region: 'eu', amount: 50}},
      {body: 2, correlationId: 'c2', applicationProperties: {region: 'eu', amount: 500}},
    ])
    const take = async (subscription: string) => {
      const receiver = t.client.createReceiver('orders', subscription, {receiveMode: 'receiveAndDelete'})
      const messages = await receiver.receiveMessages(10, {maxWaitTimeInMs: 1000})
      await receiver.close()
      return messages
    }
    const runtime = await admin.getSubscriptionRuntimeProperties('orders', 'all')
    assert.equal(runtime.activeMessageCount, 2)
    assert.equal((await admin.getTopicRuntimeProperties('orders')).subscriptionCount, 3)
    assert.deepEqual(
      (await take('all')).map(m => m.body),
      [1, 2],
    )
    assert.deepEqual(
      (await take('big')).map(m => m.body),
      [2],
    )
    const eu = await take('eu')
    assert.deepEqual(
      eu.map(m => [m.body, m.applicationProperties?.routed]),
      [[1, 'eu']],
    )

    const updated = await admin.updateSubscription({...all, maxDeliveryCount: 7})
    assert.equal(updated.maxDeliveryCount, 7)
    const updatedTopic = await admin.updateTopic({...topic, defaultMessageTimeToLive: 'PT2H'})
    assert.equal(updatedTopic.defaultMessageTimeToLive, 'PT2H')

    const names: string[] = []
    for await (const subscription of admin.listSubscriptions('orders', {maxPageSize: 2} as never)) names.push(subscription.subscriptionName)
    assert.deepEqual(names, ['all', 'big', 'eu'])
    for await (const page of admin.listSubscriptions('orders').byPage({maxPageSize: 2})) assert.ok(page.length <= 2)
    const topics: string[] = []
    for await (const item of admin.listTopics()) topics.push(item.name)
    assert.deepEqual(topics, ['orders'])
    assert.equal((await admin.createQueue('plain')).name, 'plain')
    assert.deepEqual((await admin.getQueue('plain')).name, 'plain')

    await admin.deleteSubscription('orders', 'big')
    assert.equal(await admin.subscriptionExists('orders', 'big'), false)
    await admin.deleteTopic('orders')
    assert.equal(await admin.topicExists('orders'), false)
    assert.equal((await rejectionOf(sender.sendMessages({body: 'gone'}))).code, 'MessagingEntityNotFound')
  } finally {
    await t.stop()
  }
})
