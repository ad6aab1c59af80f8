// Scheduled and deferred messages are durable: a restarted emulator (same data dir) still has
// them, re-arms the activation timers (overdue ones activate at once), and cancels by the
// sequence numbers handed out before the restart.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {ServiceBusClient} from '@azure/service-bus'
import Long from 'long'

import {startServiceBusEmulator, type ServiceBusEmulator} from '../../src/emulator/servicebus/index.js'
import {tempDir} from '../helpers/cli.js'
import {FAST_FAIL} from './helpers.js'

async function start(dataDir: string): Promise<{emulator: ServiceBusEmulator; client: ServiceBusClient}> {
  const emulator = await startServiceBusEmulator({port: 0, dataDir, queues: [{name: 'jobs'}]})
  return {emulator, client: new ServiceBusClient(emulator.connectionString, FAST_FAIL)}
}

async function stop(running: {emulator: ServiceBusEmulator; client: ServiceBusClient}): Promise<void> {
  await running.client.close()
  await running.emulator.close()
}

test('schedule, defer and cancel across a restart; overdue messages activate at once', async () => {
  const dir = tempDir('qjob-sb-sched-')
  let running: {emulator: ServiceBusEmulator; client: ServiceBusClient} | undefined
  try {
    running = await start(dir.path)
    const sender = running.client.createSender('jobs')
    await sender.sendMessages({body: 'deferred'})
    const receiver = running.client.createReceiver('jobs')
    const [toDefer] = await receiver.receiveMessages(1, {maxWaitTimeInMs: 3000})
    assert.equal(toDefer.body, 'deferred')
    await receiver.deferMessage(toDefer)
    const [cancelBefore, cancelAfter, keep] = await sender.scheduleMessages(
      [{body: 'cancel before'}, {body: 'cancel after'}, {body: 'keep'}],
      new Date(Date.now() + 3_600_000),
    )
    await sender.cancelScheduledMessages([cancelBefore])
    // Far enough ahead for the stop (which writes the store's index) to finish first on a loaded machine.
    const overdueAt = Date.now() + 3000
    const [overdue] = await sender.scheduleMessages({body: 'overdue'}, new Date(overdueAt))
    await stop(running)
    assert.ok(Date.now() < overdueAt, 'stopped before the message fell due')
    // Let the first one fall due while the emulator is down.
    await new Promise(resolve => setTimeout(resolve, Math.max(0, overdueAt + 50 - Date.now())))

    running = await start(dir.path)
    const queueReceiver = running.client.createReceiver('jobs', {receiveMode: 'receiveAndDelete'})
    // Overdue, so it must activate at once: the receive's own wait is the bound (no timed assertion).
    const [activated] = await queueReceiver.receiveMessages(1, {maxWaitTimeInMs: 5000})
    assert.equal(activated?.body, 'overdue')
    assert.notEqual(Number(activated.sequenceNumber), Number(overdue))

    const peeker = running.client.createReceiver('jobs')
    const left = await peeker.peekMessages(10, {fromSequenceNumber: Long.fromNumber(1)})
    assert.deepEqual(
      left.map(message => [message.body, message.state]),
      [
        ['deferred', 'deferred'],
        ['cancel after', 'scheduled'],
        ['keep', 'scheduled'],
      ],
    )
    await running.client.createSender('jobs').cancelScheduledMessages([cancelAfter])
    const [deferred] = await peeker.receiveDeferredMessages([toDefer.sequenceNumber!])
    await peeker.completeMessage(deferred)
    await stop(running)

    running = await start(dir.path)
    const finalPeek = await running.client.createReceiver('jobs').peekMessages(10, {fromSequenceNumber: Long.fromNumber(1)})
    assert.deepEqual(
      finalPeek.map(message => [Number(message.sequenceNumber), message.body]),
      [[Number(keep), 'keep']],
    )
    // Sequence numbers never go back: the next send gets a number after the activated one.
    await running.client.createSender('jobs').sendMessages({body: 'next'})
    const next = await running.client.createReceiver('jobs', {receiveMode: 'receiveAndDelete'}).receiveMessages(1, {maxWaitTimeInMs: 3000})
    assert.ok(Number(next[0].sequenceNumber) > Number(activated.sequenceNumber))
    await stop(running)
    running = undefined
  } finally {
    if (running) await stop(running)
    dir.cleanup()
  }
})
