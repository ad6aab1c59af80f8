// purgeMessages past one batch: a second receive-and-delete link joins once a batch comes back
// full. Every message goes, each counted once, with the scheduled and deferred ones too.
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'

import {purgeMessages} from '../../src/lib/servicebus/dead-letter.js'
import {startTestEmulator, type TestEmulator} from '../emulator/helpers.js'

describe('purge', () => {
  let t: TestEmulator
  before(async () => {
    t = await startTestEmulator({queues: [{name: 'big'}, {name: 'small'}]})
  })
  after(() => t.stop())

  it('removes 2,343 active, 2 deferred and 3 scheduled messages, counting each once', async () => {
    const sender = t.client.createSender('big')
    for (let i = 0; i < 2345; i += 500) {
      await sender.sendMessages(Array.from({length: Math.min(500, 2345 - i)}, (_, k) => ({body: `m${i + k}`})))
    }
    await sender.scheduleMessages([{body: 's1'}, {body: 's2'}, {body: 's3'}], new Date(Date.now() + 3_600_000))
    await sender.close()
    const receiver = t.client.createReceiver('big')
    const toDefer = await receiver.receiveMessages(2)
    for (const message of toDefer) await receiver.deferMessage(message)
    await receiver.close()

    const progress: number[] = []
    const removed = await purgeMessages(t.client, 'big', {deadLetter: false, onProgress: n => progress.push(n)})
    assert.equal(removed, 2348)
    assert.equal(progress.at(-1), 2348)
    assert.deepEqual(
      progress,
      [...progress].sort((a, b) => a - b),
      'progress only grows',
    )
    const counts = t.emulator.broker.runtimeCounts('big')
    assert.deepEqual([counts.activeMessageCount, counts.scheduledMessageCount, counts.deferredMessageCount], [0, 0, 0])
  })

  it('a queue shorter than a batch is purged with one link, and an empty one removes nothing', async () => {
    const sender = t.client.createSender('small')
    await sender.sendMessages([{body: 'a'}, {body: 'b'}])
    await sender.close()
    assert.equal(await purgeMessages(t.client, 'small', {deadLetter: false}), 2)
    assert.equal(await purgeMessages(t.client, 'small', {deadLetter: false}), 0)
  })
})
