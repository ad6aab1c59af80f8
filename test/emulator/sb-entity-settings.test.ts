// Queue settings that real namespaces and the SDK's own tests use: EnablePartitioning (accepted,
// shown, fixed at creation, with Azure's partition-key rules), AutoDeleteOnIdle (accepted, 5 min
// minimum, honoured with Azure's idea of "idle"; topics and subscriptions: topics/sb-topics-idle.test.ts), and Status (settable, enforced with Azure's
// MessagingEntityDisabled). Through the stock SDK clients.
import assert from 'node:assert/strict'
import {after, before, describe, test} from 'node:test'

import {ServiceBusClient} from '@azure/service-bus'

import {deleteIdleEntities} from '../../src/emulator/servicebus/broker/idle-queues.js'
import {startServiceBusEmulator} from '../../src/emulator/servicebus/index.js'
import {tempDir} from '../helpers/cli.js'
import {adminClient} from './admin-helpers.js'
import {FAST_FAIL, rejectionOf, startTestEmulator, type TestEmulator} from './helpers.js'
import {closeConnection, openConnection, putToken, sendOne} from './raw-amqp.js'

const MINUTE = 60_000

describe('queue entity settings', () => {
  let t: TestEmulator
  let offsetMs = 0
  before(async () => {
    t = await startTestEmulator({now: () => Date.now() + offsetMs})
  })
  after(() => t.stop())

  test('EnablePartitioning and AutoDeleteOnIdle are accepted and shown back; partitioning is fixed at creation', async () => {
    const admin = adminClient(t.emulator)
    await admin.createQueue('parts', {enablePartitioning: true, autoDeleteOnIdle: 'PT10M'})
    const queue = await admin.getQueue('parts')
    assert.equal(queue.enablePartitioning, true)
    assert.equal(queue.autoDeleteOnIdle, 'PT10M')
    const changed = await rejectionOf(admin.updateQueue({...queue, enablePartitioning: false}))
    assert.match(changed.message, /Partitioning cannot be changed/)
    const tooShort = await rejectionOf(admin.createQueue('short-idle', {autoDeleteOnIdle: 'PT1M'}))
    assert.match(tooShort.message, /at least 5 minutes/)
    await admin.updateQueue({...queue, autoDeleteOnIdle: 'PT20M'})
    assert.equal((await admin.getQueue('parts')).autoDeleteOnIdle, 'PT20M')
  })

  test('partition keys: must equal the session id when both are set; one key per batch on a partitioned queue', async () => {
    const admin = adminClient(t.emulator)
    await admin.createQueue('pk-sessions', {enablePartitioning: true, requiresSession: true})
    await admin.createQueue('pk-plain', {enablePartitioning: true})
    const sessions = t.client.createSender('pk-sessions')
    // The JS SDK refuses the mismatch itself; a raw AMQP peer (other stacks) meets the broker's rule.
    assert.match(
      (await rejectionOf(sessions.sendMessages({body: 1, sessionId: 'a', partitionKey: 'b'}))).message,
      /cannot have different values/,
    )
    const connection = await openConnection({host: '127.0.0.1', port: t.emulator.port})
    try {
      assert.equal(await putToken(connection, t.emulator.endpoint, t.emulator.policies[0].keyName, t.emulator.policies[0].primaryKey), 202)
      const refused = await rejectionOf(
        sendOne(connection, 'pk-sessions', 'raw', {group_id: 'a', message_annotations: {'x-opt-partition-key': 'b'}}),
      )
      assert.match(refused.message, /PartitionKey 'b' of a message differs from its SessionId 'a'/)
    } finally {
      await closeConnection(connection)
    }
    await sessions.sendMessages({body: 2, sessionId: 'a', partitionKey: 'a'})

    const plain = t.client.createSender('pk-plain')
    const mixed = await rejectionOf(
      plain.sendMessages([
        {body: 1, partitionKey: 'x'},
        {body: 2, partitionKey: 'y'},
      ]),
    )
    assert.match(mixed.message, /same PartitionKey/)
    await plain.sendMessages([
      {body: 3, partitionKey: 'x'},
      {body: 4, partitionKey: 'x'},
    ])
    assert.equal(t.emulator.broker.runtimeCounts('pk-plain').activeMessageCount, 2)
  })

  test('Status: SendDisabled and ReceiveDisabled refuse with MessagingEntityDisabled; Active serves again', async () => {
    const admin = adminClient(t.emulator)
    await admin.createQueue('status')
    const sender = t.client.createSender('status')
    await sender.sendMessages({body: 'before'})

    await admin.updateQueue({...(await admin.getQueue('status')), status: 'SendDisabled'})
    assert.equal((await admin.getQueue('status')).status, 'SendDisabled')
    assert.equal((await rejectionOf(sender.sendMessages({body: 'refused'}))).code, 'MessagingEntityDisabled')

    await admin.updateQueue({...(await admin.getQueue('status')), status: 'ReceiveDisabled'})
    const receiver = t.client.createReceiver('status')
    assert.equal((await rejectionOf(receiver.receiveMessages(1, {maxWaitTimeInMs: 1000}))).code, 'MessagingEntityDisabled')
    await receiver.close()

    await admin.updateQueue({...(await admin.getQueue('status')), status: 'Active'})
    await sender.sendMessages({body: 'after'})
    const again = t.client.createReceiver('status', {receiveMode: 'receiveAndDelete'})
    const bodies: unknown[] = []
    while (bodies.length < 2) bodies.push(...(await again.receiveMessages(2, {maxWaitTimeInMs: 2000})).map(message => message.body))
    assert.deepEqual(bodies.sort(), ['after', 'before'])
  })

  test('a receiver already attached gets nothing while the queue is ReceiveDisabled, and resumes when Active', async () => {
    const admin = adminClient(t.emulator)
    await admin.createQueue('held')
    const receiver = t.client.createReceiver('held', {receiveMode: 'receiveAndDelete'})
    assert.deepEqual(await receiver.receiveMessages(1, {maxWaitTimeInMs: 100}), [], 'the link is attached, the queue empty')
    await admin.updateQueue({...(await admin.getQueue('held')), status: 'ReceiveDisabled'})
    await t.client.createSender('held').sendMessages({body: 'held back'})
    assert.deepEqual(await receiver.receiveMessages(1, {maxWaitTimeInMs: 500}), [])
    assert.equal(t.emulator.broker.runtimeCounts('held').activeMessageCount, 1)
    await admin.updateQueue({...(await admin.getQueue('held')), status: 'Active'})
    const [message] = await receiver.receiveMessages(1, {maxWaitTimeInMs: 5000})
    assert.equal(message?.body, 'held back')
  })

  test('AutoDeleteOnIdle: deleted once idle for the interval; sends, peeks and scheduled messages are activity', async () => {
    const admin = adminClient(t.emulator)
    await admin.createQueue('idle', {autoDeleteOnIdle: 'PT5M'})
    await admin.createQueue('scheduled-idle', {autoDeleteOnIdle: 'PT5M'})
    await admin.createQueue('idle-target')
    await admin.createQueue('forwarding-idle', {autoDeleteOnIdle: 'PT5M', forwardTo: 'idle-target'})
    await t.client.createSender('scheduled-idle').scheduleMessages({body: 'later'}, new Date(Date.now() + 60 * MINUTE))

    offsetMs += 4 * MINUTE
    assert.deepEqual(await deleteIdleEntities(t.emulator.broker), [])
    await t.client.createSender('idle').sendMessages({body: 'activity'})
    offsetMs += 4 * MINUTE
    assert.deepEqual(await deleteIdleEntities(t.emulator.broker), [], 'a send 4 minutes ago keeps it')
    await t.client.createReceiver('idle').peekMessages(1)
    offsetMs += 4 * MINUTE
    assert.deepEqual(await deleteIdleEntities(t.emulator.broker), [], 'a peek 4 minutes ago keeps it')
    offsetMs += 2 * MINUTE
    assert.deepEqual(await deleteIdleEntities(t.emulator.broker), ['idle'])
    // (The clock is 14 minutes ahead now: past the SDK's admin token lifetime, so ask the broker.)
    assert.equal(t.emulator.broker.getQueue('idle'), undefined)
    assert.ok(t.emulator.broker.getQueue('scheduled-idle'), 'a queue holding a scheduled message is not idle')
    assert.ok(t.emulator.broker.getQueue('forwarding-idle'), 'a queue that auto-forwards is not idle (the docs count it as receiving)')
  })
})

test('AutoDeleteOnIdle after a restart: the time before it does not count as idle', async () => {
  let offsetMs = 0
  const now = () => Date.now() + offsetMs
  const dir = tempDir('qjob-idle-restart-')
  try {
    const first = await startServiceBusEmulator({port: 0, dataDir: dir.path, now})
    await first.broker.createQueue('kept', {autoDeleteOnIdleMs: 5 * MINUTE})
    offsetMs += 4 * MINUTE
    const client = new ServiceBusClient(first.connectionString, FAST_FAIL)
    await client.createSender('kept').sendMessages({body: 'busy until the restart'})
    await client.close()
    await first.close()
    offsetMs += 2 * MINUTE
    // Restarted 6 minutes after the update, 2 after the last send: not idle, whatever was stored.
    const second = await startServiceBusEmulator({port: 0, dataDir: dir.path, now})
    try {
      const startedAt = second.broker.now()
      assert.deepEqual(await deleteIdleEntities(second.broker, undefined, startedAt), [])
      offsetMs += 6 * MINUTE
      assert.deepEqual(await deleteIdleEntities(second.broker, undefined, startedAt), ['kept'])
    } finally {
      await second.close()
    }
  } finally {
    dir.cleanup()
  }
})
