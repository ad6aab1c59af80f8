// ServiceBusRuleManager over AMQP ($management of a subscription): add-rule (SQL, correlation,
// with an action), enumerate-rules (the SDK decodes the described lists), remove-rule, invalid
// SQL refused at creation, and the rules taking effect on the next send; plus reset() of a topic.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {startTestEmulator, rejectionOf} from '../helpers.js'

test('the rule manager adds, lists and removes rules, and they filter the next sends', async () => {
  const t = await startTestEmulator()
  try {
    const {broker} = t.emulator
    await broker.topics.create('jobs')
    await broker.topics.createSubscription('jobs', 'workers')
    const rules = t.client.createRuleManager('jobs', 'workers')
    const all = async () => {
      const found: Array<{name: string; filter: unknown; action: {sqlExpression?: string}}> = []
      for await (const rule of rules.listRules()) found.push(rule)
      return found
    }
    assert.deepEqual(
      (await all()).map(rule => rule.name),
      ['$Default'],
    )
    await rules.deleteRule('$Default')
    await rules.createRule('images', {sqlExpression: "kind = 'image'"}, {sqlExpression: "SET lane = 'gpu'"})
    await rules.createRule('urgent', {subject: 'urgent', applicationProperties: {tier: 1}})
    const listed = await all()
    assert.deepEqual(
      listed.map(rule => rule.name),
      ['images', 'urgent'],
    )
    assert.deepEqual(listed[0].filter, {sqlExpression: "kind = 'image'"})
    assert.equal(listed[0].action.sqlExpression, "SET lane = 'gpu'")
    assert.equal((listed[1].filter as {subject?: string}).subject, 'urgent')
    assert.deepEqual((listed[1].filter as {applicationProperties?: unknown}).applicationProperties, {tier: 1})
    const refused = await rejectionOf(rules.createRule('bad', {sqlExpression: 'kind = '}))
    assert.match(refused.message, /not valid/)
    assert.equal((await rejectionOf(rules.createRule('images', {sqlExpression: '1=1'}))).code, 'MessagingEntityAlreadyExists')

    await t.client.createSender('jobs').sendMessages([
      {body: 'img', applicationProperties: {kind: 'image'}},
      {body: 'txt', applicationProperties: {kind: 'text'}},
      {body: 'hot', subject: 'urgent', applicationProperties: {tier: 1}},
    ])
    const receiver = t.client.createReceiver('jobs', 'workers', {receiveMode: 'receiveAndDelete'})
    const messages = await receiver.receiveMessages(10, {maxWaitTimeInMs: 1000})
    assert.deepEqual(messages.map(m => [m.body, m.applicationProperties?.lane]).sort(), [
      ['hot', undefined],
      ['img', 'gpu'],
    ])
    await rules.deleteRule('images')
    assert.deepEqual(
      (await all()).map(rule => rule.name),
      ['urgent'],
    )
  } finally {
    await t.stop()
  }
})

test('reset() empties topics and subscriptions and keeps them, with their rules', async () => {
  const t = await startTestEmulator()
  try {
    const {broker} = t.emulator
    await broker.topics.create('feed')
    await broker.topics.createSubscription('feed', 'a', {}, {name: 'only', filter: {kind: 'sql', sqlExpression: 'n > 1'}, createdAt: 0})
    const sender = t.client.createSender('feed')
    await sender.sendMessages([{body: 1, applicationProperties: {n: 2}}])
    await sender.scheduleMessages({body: 2, applicationProperties: {n: 2}}, new Date(Date.now() + 60_000))
    const summaries = await broker.reset('feed')
    assert.deepEqual(
      summaries.map(s => [s.name, s.activeMessageCount, s.scheduledMessageCount]),
      [
        ['feed', 0, 1],
        ['feed/Subscriptions/a', 1, 0],
      ],
    )
    assert.equal(broker.runtimeCounts('feed/Subscriptions/a').activeMessageCount, 0)
    await sender.sendMessages([
      {body: 3, applicationProperties: {n: 0}},
      {body: 4, applicationProperties: {n: 5}},
    ])
    const [message] = await t.client.createReceiver('feed', 'a').receiveMessages(5, {maxWaitTimeInMs: 1000})
    assert.equal(message.body, 4, 'the rule survived the reset')
  } finally {
    await t.stop()
  }
})
