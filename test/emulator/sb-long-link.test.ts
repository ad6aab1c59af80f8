import assert from 'node:assert/strict'
import {after, before, describe, test} from 'node:test'

import {startTestEmulator, type TestEmulator} from './helpers.js'

// rhea tracks a session's deliveries until both sides have settled them, 2048 at a time by default:
// the emulator must count a peek-lock delivery as settled once it answers the client's disposition,
// or a long-lived link stalls after 2048 messages.
describe('a long-lived peek-lock link', () => {
  let t: TestEmulator
  before(async () => {
    t = await startTestEmulator({queues: [{name: 'long', lockDuration: 'PT5M'}]})
  })
  after(() => t.stop())

  test('receives and completes 3,000 messages on one link', async () => {
    const total = 3000
    const sender = t.client.createSender('long')
    for (let i = 0; i < total; i += 250) await sender.sendMessages(Array.from({length: 250}, (_, j) => ({body: i + j})))
    await sender.close()

    const receiver = t.client.createReceiver('long')
    let completed = 0
    while (completed < total) {
      const batch = await receiver.receiveMessages(250, {maxWaitTimeInMs: 5000})
      assert.ok(batch.length > 0, `the link stalled after ${completed} messages`)
      for (const message of batch) {
        await receiver.completeMessage(message)
        completed++
      }
    }
    await receiver.close()
    assert.equal(t.emulator.broker.runtimeCounts('long').activeMessageCount, 0)
  })
})
