// The ARM surface for topics through the stock @azure/arm-servicebus client: topics, topic
// authorization rules (with list-keys whose connection string sends), subscriptions and rules.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {armClient} from '../arm-helpers.js'
import {startTestEmulator} from '../helpers.js'

test('topics, subscriptions, rules and topic keys through @azure/arm-servicebus', async () => {
  const t = await startTestEmulator()
  try {
    const {emulator} = t
    const arm = armClient(emulator)
    const [rg, ns] = ['local', 'qjob-emulator']
    const topic = await arm.topics.createOrUpdate(rg, ns, 'billing', {defaultMessageTimeToLive: 'PT1H', requiresDuplicateDetection: true})
    assert.equal(topic.name, 'billing')
    assert.equal(topic.requiresDuplicateDetection, true)
    // A forward to nothing is refused (the broker's 400), and nothing is created.
    const forward = await arm.subscriptions.createOrUpdate(rg, ns, 'billing', 'lost', {forwardTo: 'nowhere'}).then(
      () => undefined,
      (error: {statusCode?: number; message: string}) => error,
    )
    assert.equal(forward?.statusCode, 400)
    assert.match(forward?.message ?? '', /auto forwarding destination entity does not exist/)
    assert.equal(emulator.broker.topics.getSubscription('billing', 'lost'), undefined)
    const created = await arm.subscriptions.createOrUpdate(rg, ns, 'billing', 'invoices', {maxDeliveryCount: 4, lockDuration: 'PT30S'})
    assert.equal(created.maxDeliveryCount, 4)
    await arm.rules.delete(rg, ns, 'billing', 'invoices', '$Default')
    const rule = await arm.rules.createOrUpdate(rg, ns, 'billing', 'invoices', 'big', {
      filterType: 'SqlFilter',
      sqlFilter: {sqlExpression: 'amount > 10'},
      action: {sqlExpression: "SET big = 'yes'"},
    })
    assert.equal(rule.sqlFilter?.sqlExpression, 'amount > 10')
    const correlation = await arm.rules.createOrUpdate(rg, ns, 'billing', 'invoices', 'vip', {
      filterType: 'CorrelationFilter',
      correlationFilter: {label: 'vip', properties: {tier: 'gold'}},
    })
    assert.equal(correlation.correlationFilter?.label, 'vip')
    const rules: string[] = []
    for await (const item of arm.rules.listBySubscriptions(rg, ns, 'billing', 'invoices')) rules.push(item.name!)
    assert.deepEqual(rules, ['big', 'vip'])
    const topics: string[] = []
    for await (const item of arm.topics.listByNamespace(rg, ns)) topics.push(item.name!)
    assert.deepEqual(topics, ['billing'])

    await arm.topics.createOrUpdateAuthorizationRule(rg, ns, 'billing', 'publisher', {rights: ['Send']})
    const keys = await arm.topics.listKeys(rg, ns, 'billing', 'publisher')
    const publisher = t.clientFor(keys.primaryConnectionString!)
    await publisher.createSender('billing').sendMessages([
      {body: 'small', applicationProperties: {amount: 1}},
      {body: 'large', applicationProperties: {amount: 99}},
    ])
    const [message] = await t.client.createReceiver('billing', 'invoices').receiveMessages(5, {maxWaitTimeInMs: 1000})
    assert.deepEqual([message.body, message.applicationProperties?.big], ['large', 'yes'])
    const counts = await arm.subscriptions.get(rg, ns, 'billing', 'invoices')
    assert.equal(counts.countDetails?.activeMessageCount, 1)

    await arm.subscriptions.delete(rg, ns, 'billing', 'invoices')
    assert.equal((await arm.topics.get(rg, ns, 'billing')).subscriptionCount, 0)
    await arm.topics.delete(rg, ns, 'billing')
    assert.equal(emulator.broker.topics.list().length, 0)
  } finally {
    await t.stop()
  }
})
