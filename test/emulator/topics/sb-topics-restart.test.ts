// Topics across compaction and a clean restart: the log is compacted (a tiny threshold) while
// topics, subscriptions, rules, copies, dead letters and a scheduled topic message are live; a
// restarted emulator on the same data dir has all of them, and filters still apply.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {ServiceBusClient} from '@azure/service-bus'

import {startServiceBusEmulator} from '../../../src/emulator/servicebus/index.js'
import {tempDir} from '../../helpers/cli.js'
import {FAST_FAIL} from '../helpers.js'

test('topics, subscriptions, rules and copies survive compaction and restart', async () => {
  const dir = tempDir('qjob-topics-restart-')
  try {
    const first = await startServiceBusEmulator({port: 0, dataDir: dir.path, compactMinBytes: 1})
    const {topics} = first.broker
    await topics.create('t', {defaultMessageTimeToLiveMs: 3_600_000})
    await topics.createSubscription('t', 'all')
    await topics.createSubscription(
      't',
      'odd',
      {maxDeliveryCount: 2},
      {name: 'odd', filter: {kind: 'sql', sqlExpression: 'n % 2 = 1'}, createdAt: 0},
    )
    const client = new ServiceBusClient(first.connectionString, FAST_FAIL)
    const sender = client.createSender('t')
    for (let n = 0; n < 6; n++) await sender.sendMessages({body: n, applicationProperties: {n}})
    await sender.scheduleMessages({body: 'later', applicationProperties: {n: 1}}, new Date(Date.now() + 3_600_000))
    const odd = client.createReceiver('t', 'odd')
    const [firstOdd] = await odd.receiveMessages(1, {maxWaitTimeInMs: 2000})
    await odd.deadLetterMessage(firstOdd, {deadLetterReason: 'test', deadLetterErrorDescription: 'kept'})
    await client.close()
    assert.ok(first.store.stats().compactions > 0, 'the log was compacted')
    await first.close()

    const second = await startServiceBusEmulator({port: 0, dataDir: dir.path})
    try {
      const {broker} = second
      assert.deepEqual(
        broker.topics.listRules('t', 'odd').map(rule => rule.name),
        ['odd'],
      )
      assert.equal(broker.runtimeCounts('t/Subscriptions/all').activeMessageCount, 6)
      assert.equal(broker.runtimeCounts('t/Subscriptions/odd').activeMessageCount, 2)
      assert.equal(broker.runtimeCounts('t/Subscriptions/odd').deadLetterMessageCount, 1)
      assert.equal(broker.topics.runtimeCounts('t').scheduledMessageCount, 1)
      const after = new ServiceBusClient(second.connectionString, FAST_FAIL)
      await after.createSender('t').sendMessages([
        {body: 'x', applicationProperties: {n: 2}},
        {body: 'y', applicationProperties: {n: 3}},
      ])
      assert.equal(broker.runtimeCounts('t/Subscriptions/odd').activeMessageCount, 3, 'the rule still filters')
      assert.equal(broker.topics.getSubscription('t', 'odd')?.maxDeliveryCount, 2)
      await after.close()
    } finally {
      await second.close()
    }
  } finally {
    dir.cleanup()
  }
})
