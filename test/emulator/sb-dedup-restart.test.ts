// Duplicate detection survives a restart: the id of a message that was completed before the
// emulator stopped still counts as seen within the window, also after the log was compacted.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {ServiceBusClient} from '@azure/service-bus'

import {startServiceBusEmulator, type ServiceBusEmulator} from '../../src/emulator/servicebus/index.js'
import {tempDir} from '../helpers/cli.js'
import {FAST_FAIL} from './helpers.js'

const QUEUE = {name: 'dedup', requiresDuplicateDetection: true, duplicateDetectionHistoryTimeWindow: 'PT10M'}

for (const compactMinBytes of [undefined, 1]) {
  test(`a completed message's id is still a duplicate after a restart${compactMinBytes ? ' (log compacted)' : ''}`, async () => {
    const dir = tempDir('qjob-sb-dedup-')
    let emulator: ServiceBusEmulator | undefined
    let client: ServiceBusClient | undefined
    const start = async () => {
      emulator = await startServiceBusEmulator({port: 0, dataDir: dir.path, queues: [QUEUE], compactMinBytes})
      client = new ServiceBusClient(emulator.connectionString, FAST_FAIL)
    }
    const stop = async () => {
      await client?.close()
      await emulator?.close()
    }
    try {
      await start()
      let sender = client!.createSender('dedup')
      await sender.sendMessages([
        {body: 'first', messageId: 'order-1'},
        {body: 'filler', messageId: 'filler'},
      ])
      const receiver = client!.createReceiver('dedup', {receiveMode: 'receiveAndDelete'})
      assert.equal((await receiver.receiveMessages(2, {maxWaitTimeInMs: 3000})).length, 2)
      await stop()

      await start()
      sender = client!.createSender('dedup')
      await sender.sendMessages([
        {body: 'again', messageId: 'order-1'},
        {body: 'new', messageId: 'order-2'},
      ])
      const counts = emulator!.broker.runtimeCounts('dedup')
      assert.equal(counts.activeMessageCount, 1, 'order-1 was dropped as a duplicate, order-2 kept')
      const [kept] = await client!.createReceiver('dedup', {receiveMode: 'receiveAndDelete'}).receiveMessages(1, {maxWaitTimeInMs: 3000})
      assert.equal(kept.messageId, 'order-2')
    } finally {
      await stop()
      dir.cleanup()
    }
  })
}
