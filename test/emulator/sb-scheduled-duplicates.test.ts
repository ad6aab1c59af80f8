// Duplicate detection covers scheduled messages: Azure drops a duplicate at schedule time and
// still hands back a sequence number, which names nothing (cancelling it fails), as reported in
// azure-service-bus#265. Queues and topics alike, through the SDK's scheduleMessages.
import assert from 'node:assert/strict'
import {after, before, test} from 'node:test'

import {rejectionOf, startTestEmulator, type TestEmulator} from './helpers.js'

let t: TestEmulator
const DEDUP = {requiresDuplicateDetection: true, duplicateDetectionHistoryTimeWindow: 'PT10M'}

before(async () => {
  t = await startTestEmulator({queues: [{name: 'dedup-scheduled', ...DEDUP}]})
  await t.emulator.broker.topics.create('dedup-topic', {requiresDuplicateDetection: true, duplicateDetectionHistoryTimeWindowMs: 600_000})
  await t.emulator.broker.topics.createSubscription('dedup-topic', 'all')
})
after(() => t.stop())

const inAMinute = () => new Date(Date.now() + 60_000)

test('a queue drops a scheduled duplicate; its sequence number cannot be cancelled', async () => {
  const sender = t.client.createSender('dedup-scheduled')
  const [first] = await sender.scheduleMessages({body: 1, messageId: 'job-1'}, inAMinute())
  const [second] = await sender.scheduleMessages({body: 2, messageId: 'job-1'}, inAMinute())
  assert.notEqual(second.toNumber(), first.toNumber())
  assert.equal(t.emulator.broker.runtimeCounts('dedup-scheduled').scheduledMessageCount, 1)
  const error = await rejectionOf(sender.cancelScheduledMessages(second))
  assert.equal(error.code, 'MessageNotFound')
  await sender.cancelScheduledMessages(first)
  assert.equal(t.emulator.broker.runtimeCounts('dedup-scheduled').scheduledMessageCount, 0)
  // A plain send of the id is a duplicate too (the window started with the first schedule).
  await sender.sendMessages({body: 3, messageId: 'job-1'})
  assert.equal(t.emulator.broker.runtimeCounts('dedup-scheduled').activeMessageCount, 0)
})

test('a topic drops a scheduled duplicate', async () => {
  const sender = t.client.createSender('dedup-topic')
  await sender.scheduleMessages({body: 1, messageId: 'job-2'}, inAMinute())
  await sender.scheduleMessages(
    [
      {body: 2, messageId: 'job-2'},
      {body: 3, messageId: 'job-3'},
    ],
    inAMinute(),
  )
  assert.equal(t.emulator.broker.topics.runtimeCounts('dedup-topic').scheduledMessageCount, 2)
})
