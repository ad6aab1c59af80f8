// Issue 17 items 2 and 4 on a real full disk (a small tmpfs): sends are refused with Azure's quota
// error, settlements that could not be made durable take no effect, a queue that could not be
// stored is not created, receive-and-delete hands out nothing it could not delete durably, and
// the emulator carries on by itself once space is free.
import assert from 'node:assert/strict'
import {join} from 'node:path'
import {test} from 'node:test'

import {ServiceBusClient} from '@azure/service-bus'

import {BrokerError} from '../../src/emulator/servicebus/broker/broker-error.js'
import {startServiceBusEmulator} from '../../src/emulator/servicebus/index.js'
import type {MessageStore} from '../../src/emulator/servicebus/store/message-store.js'
import {FAST_FAIL, rejectionOf, until} from './helpers.js'
import {mountSmallDisk} from './small-disk.js'

const disk = mountSmallDisk()
const skip = disk ? false : 'needs a tmpfs mount (root) for a real full disk'

test.after(() => disk?.unmount())

/**
 * Fills the disk, then the slack of the log's last page too (tmpfs hands out whole pages): tiny
 * records no one reads (the sequence counter of a queue that does not exist) until one is refused.
 */
async function fillDisk(store: MessageStore): Promise<void> {
  disk!.fill()
  for (let i = 0; i < 1000; i++) {
    try {
      await store.append([{type: 'sequence', queue: '-', next: 1}])
    } catch {
      return
    }
  }
  throw new Error('the disk did not fill up')
}

async function emulatorOn(dataDir: string) {
  const emulator = await startServiceBusEmulator({port: 0, dataDir, queues: [{name: 'jobs'}, {name: 'fast'}]})
  const client = new ServiceBusClient(emulator.connectionString, FAST_FAIL)
  return {
    emulator,
    client,
    stop: async () => {
      await client.close()
      await emulator.close()
    },
  }
}

test(
  'a full disk: sends and settlements are refused with QuotaExceeded and take no effect; all resumes once space is free',
  {skip},
  async () => {
    const dataDir = join(disk!.path, 'settle')
    let run = await emulatorOn(dataDir)
    try {
      const sender = run.client.createSender('jobs')
      await sender.sendMessages([{body: 'first'}, {body: 'second'}])
      const receiver = run.client.createReceiver('jobs')
      const [first] = await receiver.receiveMessages(1, {maxWaitTimeInMs: 5000})
      assert.equal(first.body, 'first')

      await fillDisk(run.emulator.store)
      const refusedSend = await rejectionOf(sender.sendMessages({body: 'no room'}))
      assert.equal(refusedSend.code, 'QuotaExceeded', refusedSend.message)
      const refusedComplete = await rejectionOf(receiver.completeMessage(first))
      assert.equal(refusedComplete.code, 'QuotaExceeded', refusedComplete.message)
      // The complete did not take effect: the message is still there, still locked by this receiver.
      const counts = run.emulator.broker.runtimeCounts('jobs')
      assert.equal(counts.activeMessageCount, 2)
      assert.equal(counts.lockedMessageCount, 1)
      const refusedCreate = await rejectionOf(run.emulator.broker.createQueue('made-while-full'))
      assert.ok(refusedCreate instanceof BrokerError && refusedCreate.code === 'QuotaExceeded', refusedCreate.message)
      assert.equal(run.emulator.broker.getQueue('made-while-full'), undefined, 'a queue that is not durable is not created')

      disk!.free()
      // No restart: the lock the refused complete gave back works now (the SDK counts a refused
      // disposition as settled on its link, so the broker is asked directly), and so do sends.
      await run.emulator.broker.complete(first.lockToken!)
      await sender.sendMessages({body: 'third'})
      await run.emulator.broker.createQueue('made-later')
    } finally {
      disk!.free()
      await run.stop()
    }
    run = await emulatorOn(dataDir)
    try {
      const bodies = (await run.emulator.broker.peek('jobs', 1, 10)).map(message => message.sequenceNumber)
      assert.equal(bodies.length, 2, 'second and third are kept, first is completed')
      assert.ok(run.emulator.broker.getQueue('made-later'))
      assert.equal(run.emulator.broker.getQueue('made-while-full'), undefined)
    } finally {
      await run.stop()
    }
  },
)

test('receive-and-delete on a full disk hands out nothing; the message comes once space is free, and never again', {skip}, async () => {
  const dataDir = join(disk!.path, 'rad')
  let run = await emulatorOn(dataDir)
  try {
    await run.client.createSender('fast').sendMessages({body: 'once'})
    await fillDisk(run.emulator.store)
    const receiver = run.client.createReceiver('fast', {receiveMode: 'receiveAndDelete'})
    const during = await receiver.receiveMessages(1, {maxWaitTimeInMs: 1500})
    assert.equal(during.length, 0, 'a message whose delete is not durable must not leave')
    // It stays in the queue (a removal being retried takes it out for the moment of the write).
    await until(() => run.emulator.broker.runtimeCounts('fast').activeMessageCount === 1, 10_000, 'the message back in the queue')
    disk!.free()
    const after = await receiver.receiveMessages(1, {maxWaitTimeInMs: 10_000})
    assert.deepEqual(
      after.map(message => message.body),
      ['once'],
    )
  } finally {
    disk!.free()
    await run.stop()
  }
  run = await emulatorOn(dataDir)
  try {
    assert.equal(run.emulator.broker.runtimeCounts('fast').activeMessageCount, 0, 'delivered once, not again after a restart')
  } finally {
    await run.stop()
  }
})
