// Issue 16, item 6: a stream into a pipe that closes early stops at once and quietly (exit 141, as
// a tool killed by SIGPIPE), and `receive` completes nothing it did not write.
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'

import {ServiceBusClient} from '@azure/service-bus'

import {type MessagingFixture, startMessagingFixture} from '../messaging/helpers.js'
import {closeAfterFirstLine, start} from './helpers.js'

describe('closed pipes (EPIPE)', () => {
  let fx: MessagingFixture
  let client: ServiceBusClient
  before(async () => {
    fx = await startMessagingFixture([{name: 'many'}, {name: 'big', lockDuration: 'PT2M'}, {name: 'dead-many'}])
    client = new ServiceBusClient(fx.emulator.connectionString, {retryOptions: {maxRetries: 0, timeoutInMs: 10_000}})
    const sender = client.createSender('many')
    const body = Buffer.from('x'.repeat(1000))
    for (let i = 0; i < 3; i++) await sender.sendMessages(Array.from({length: 200}, () => ({body})))
    await sender.close()
    // 200 dead letters of 1 KB: more than a pipe buffer holds.
    const deadSender = client.createSender('dead-many')
    await deadSender.sendMessages(Array.from({length: 200}, () => ({body})))
    await deadSender.close()
    const receiver = client.createReceiver('dead-many')
    for (let done = 0; done < 200;) {
      const batch = await receiver.receiveMessages(200 - done, {maxWaitTimeInMs: 3000})
      await Promise.all(
        batch.map(message => receiver.deadLetterMessage(message, {deadLetterReason: 'Test', deadLetterErrorDescription: 'pipe'})),
      )
      done += batch.length
    }
    await receiver.close()
  })
  after(async () => {
    await client.close()
    await fx.stop()
  })

  for (const args of [
    ['peek', '-q', 'many', '--all', '--ndjson'],
    ['peek', '-q', 'many', '-n', '400', '--ndjson'],
    ['dlq', 'peek', '-q', 'dead-many', '--all', '--ndjson'],
    ['peek', '-q', 'many', '-n', '400'],
    ['peek', '-q', 'many', '-n', '400', '--json'],
  ]) {
    it(`${args.join(' ')} | head -1 exits at once, quietly`, async () => {
      const running = start(args, {cwd: fx.home, env: fx.env})
      const first = await closeAfterFirstLine(running)
      if (args.includes('--ndjson')) assert.match(first, /"sequenceNumber":"\d+"/)
      const result = await running.exit()
      assert.equal(result.hung, false, 'it hung after the reader went away')
      assert.equal(result.code, 141, running.stderr())
      assert.equal(running.stderr(), '')
    })
  }

  it('receive -n 5 --ndjson | head -1 stops, completes only what it wrote, and leaves the rest to come back', async () => {
    // 200 KB bodies: one line is more than a pipe buffer holds, so the second line cannot be written.
    const sender = client.createSender('big')
    for (let i = 0; i < 5; i++) await sender.sendMessages({body: Buffer.from(`${i}`.repeat(200_000)), messageId: `big-${i}`})
    await sender.close()
    const running = start(['receive', '-q', 'big', '-n', '5', '--ndjson'], {cwd: fx.home, env: fx.env})
    const first = await closeAfterFirstLine(running)
    assert.match(first, /"messageId":"big-0"/)
    const result = await running.exit()
    assert.equal(result.hung, false, 'it hung after the reader went away')
    assert.equal(result.code, 141, running.stderr())
    // The first message was written and flushed, so it may be completed; the others must not be.
    const counts = fx.emulator.broker.runtimeCounts('big')
    assert.ok(counts.activeMessageCount >= 4, `only ${counts.activeMessageCount} of 5 are left`)
    const peeker = client.createReceiver('big')
    const left = await peeker.peekMessages(10)
    await peeker.close()
    for (let i = 1; i < 5; i++)
      assert.ok(
        left.some(message => message.messageId === `big-${i}`),
        `big-${i} was settled without being written`,
      )
  })
})
