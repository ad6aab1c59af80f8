// Issue 16, items 1 and 2: resubmit never loses a dead letter to duplicate detection, and touches
// no dead letter behind the ones it was asked to move.
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'

import {ServiceBusClient} from '@azure/service-bus'
import Long from 'long'

import {type MessagingFixture, startMessagingFixture} from '../messaging/helpers.js'

describe('dlq resubmit under faults', () => {
  let fx: MessagingFixture
  let client: ServiceBusClient
  before(async () => {
    fx = await startMessagingFixture([
      {name: 'dedup', requiresDuplicateDetection: true, duplicateDetectionHistoryTimeWindow: 'PT10M'},
      {name: 'dedup-keep', requiresDuplicateDetection: true, duplicateDetectionHistoryTimeWindow: 'PT10M'},
      {name: 'pick'},
      {name: 'refused'},
      {name: 'batches'},
    ])
    client = new ServiceBusClient(fx.emulator.connectionString, {retryOptions: {maxRetries: 0, timeoutInMs: 10_000}})
  })
  after(async () => {
    await client.close()
    await fx.stop()
  })

  async function deadLetter(queue: string, count: number) {
    const sender = client.createSender(queue)
    await sender.sendMessages(Array.from({length: count}, (_, i) => ({body: Buffer.from(`m${i}`), messageId: `${queue}-${i}`})))
    await sender.close()
    const receiver = client.createReceiver(queue)
    let done = 0
    while (done < count) {
      for (const message of await receiver.receiveMessages(count - done, {maxWaitTimeInMs: 3000})) {
        await receiver.deadLetterMessage(message, {deadLetterReason: 'Broken', deadLetterErrorDescription: 'test'})
        done++
      }
    }
    await receiver.close()
  }

  async function peekDeadLetters(queue: string) {
    const peeker = client.createReceiver(queue, {subQueueType: 'deadLetter'})
    // From 1 each time: the SDK otherwise goes on from the last peek of this client.
    const messages = await peeker.peekMessages(100, {fromSequenceNumber: Long.fromNumber(1)})
    await peeker.close()
    return messages
  }

  it('on a duplicate-detection queue every dead letter comes back (new message ids)', async () => {
    await deadLetter('dedup', 20)
    const result = await fx.qjob(['dlq', 'resubmit', '-q', 'dedup', '--all'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /^Resubmitted 20 dead letters/)
    const counts = fx.emulator.broker.runtimeCounts('dedup')
    assert.deepEqual([counts.activeMessageCount, counts.deadLetterMessageCount], [20, 0])
  })

  it('copies go out in batches: 250 dead letters (three batches) all come back once, bodies intact', async () => {
    await deadLetter('batches', 250)
    const result = await fx.qjob(['dlq', 'resubmit', '-q', 'batches', '--all'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /^Resubmitted 250 dead letters/)
    const counts = fx.emulator.broker.runtimeCounts('batches')
    assert.deepEqual([counts.activeMessageCount, counts.deadLetterMessageCount], [250, 0])
    const peeker = client.createReceiver('batches')
    const bodies = new Set<string>()
    for (let from = 1; ;) {
      const page = await peeker.peekMessages(100, {fromSequenceNumber: Long.fromNumber(from)})
      if (page.length === 0) break
      for (const message of page) bodies.add(String(message.body))
      from = Number(page.at(-1)!.sequenceNumber) + 1
    }
    await peeker.close()
    assert.equal(bodies.size, 250)
  })

  it('a refused send completes no dead letter: they all stay where they were', async () => {
    await deadLetter('refused', 250)
    await fx.emulator.broker.updateQueue('refused', {status: 'SendDisabled'})
    const result = await fx.qjob(['dlq', 'resubmit', '-q', 'refused', '--all'])
    assert.notEqual(result.code, 0, result.stdout)
    const counts = fx.emulator.broker.runtimeCounts('refused')
    assert.deepEqual([counts.activeMessageCount, counts.deadLetterMessageCount], [0, 250])
  })

  it('--keep-message-id keeps the ids and warns what duplicate detection does', async () => {
    await deadLetter('dedup-keep', 2)
    const result = await fx.qjob(['dlq', 'resubmit', '-q', 'dedup-keep', '--all', '--keep-message-id'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stderr, /Warning: --keep-message-id: .*duplicate detection/)
  })

  it('--sequence N moves only N and leaves the dead letters behind it untouched; an unknown N is exit 3', async () => {
    await deadLetter('pick', 5)
    const before = await peekDeadLetters('pick')
    const [third] = before.slice(2, 3)
    let result = await fx.qjob(['dlq', 'resubmit', '-q', 'pick', '--sequence', '999'])
    assert.equal(result.code, 3, result.stderr)
    assert.match(result.stderr, /no dead letter with sequence number 999/)
    assert.equal(fx.emulator.broker.runtimeCounts('pick').deadLetterMessageCount, 5)

    result = await fx.qjob(['dlq', 'resubmit', '-q', 'pick', '--sequence', String(third.sequenceNumber)])
    assert.equal(result.code, 0, result.stderr)
    const after = await peekDeadLetters('pick')
    assert.deepEqual(
      after.map(m => m.messageId),
      ['pick-0', 'pick-1', 'pick-3', 'pick-4'],
    )
    const deliveries = (list: typeof before, id: string) => list.find(m => m.messageId === id)?.deliveryCount
    for (const id of ['pick-3', 'pick-4']) assert.equal(deliveries(after, id), deliveries(before, id), `${id} was locked and abandoned`)
  })
})
