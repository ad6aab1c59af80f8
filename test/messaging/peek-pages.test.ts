// peekPages requests pages ahead, guessing that sequence numbers run without gaps. These check it
// against the emulator through the SDK with small pages: every message exactly once, in order,
// however the gaps fall, and the limit is kept.
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'

import {ServiceBusClient, type ServiceBusReceiver} from '@azure/service-bus'

import {peekPages} from '../../src/lib/servicebus/peek.js'
import {type MessagingFixture, startMessagingFixture} from './helpers.js'

describe('peekPages (pages requested ahead)', () => {
  let fx: MessagingFixture
  let client: ServiceBusClient
  let peeker: ServiceBusReceiver
  before(async () => {
    fx = await startMessagingFixture([{name: 'pages'}])
    client = new ServiceBusClient(fx.emulator.connectionString)
    const sender = client.createSender('pages')
    await sender.sendMessages(Array.from({length: 40}, (_, i) => ({body: String(i + 1)})))
    await sender.close()
    // Gaps: take out sequence numbers 5, 11-19 and 30 (receive them by peek-lock, complete them).
    const receiver = client.createReceiver('pages')
    const gone = new Set([5, 11, 12, 13, 14, 15, 16, 17, 18, 19, 30])
    let completed = 0
    while (completed < gone.size) {
      const batch = await receiver.receiveMessages(40, {maxWaitTimeInMs: 2000})
      assert.ok(batch.length > 0)
      for (const message of batch) {
        if (gone.has(Number(message.sequenceNumber))) {
          await receiver.completeMessage(message)
          completed++
        } else await receiver.abandonMessage(message)
      }
    }
    await receiver.close()
    peeker = client.createReceiver('pages')
  })
  after(async () => {
    await peeker.close()
    await client.close()
    await fx.stop()
  })

  const expected = Array.from({length: 40}, (_, i) => i + 1).filter(n => n !== 5 && n !== 30 && (n < 11 || n > 19))

  const collect = async (options: Parameters<typeof peekPages>[1]) => {
    const seen: number[] = []
    for await (const page of peekPages(peeker, options)) for (const message of page) seen.push(Number(message.sequenceNumber))
    return seen
  }

  it('returns every message once, in order, across gaps, whatever the page size and look-ahead', async () => {
    for (const pageSize of [1, 3, 4, 7, 100])
      for (const pagesAhead of [1, 2, 4])
        assert.deepEqual(await collect({limit: Infinity, pageSize, pagesAhead}), expected, `pageSize ${pageSize}, ahead ${pagesAhead}`)
  })

  it('keeps the limit and the starting sequence number', async () => {
    assert.deepEqual(await collect({limit: 6, pageSize: 4, pagesAhead: 4}), expected.slice(0, 6))
    assert.deepEqual(
      await collect({limit: Infinity, fromSequence: 9, pageSize: 2, pagesAhead: 3}),
      expected.filter(n => n >= 9),
    )
    assert.deepEqual(await collect({limit: 3, fromSequence: 30, pageSize: 1, pagesAhead: 4}), [31, 32, 33])
  })
})
