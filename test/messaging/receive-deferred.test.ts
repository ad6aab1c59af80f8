// qjob receive --sequence N...: deferred messages come back by sequence number, are printed, then
// settled with the same options as any receive; an unknown number is exit 3 and takes nothing.
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'

import {ServiceBusClient} from '@azure/service-bus'

import {ndjson, startMessagingFixture, type MessagingFixture} from './helpers.js'

describe('qjob receive --sequence', () => {
  let fx: MessagingFixture
  let client: ServiceBusClient
  before(async () => {
    fx = await startMessagingFixture([{name: 'later'}])
    client = new ServiceBusClient(fx.emulator.connectionString, {retryOptions: {maxRetries: 0}})
  })
  after(async () => {
    await client.close()
    await fx.stop()
  })

  it('receives deferred messages by number, prints them, then settles them', async () => {
    await client.createSender('later').sendMessages(['one', 'two', 'three'].map(text => ({body: Buffer.from(text)})))
    const deferred = await fx.qjob(['receive', '-q', 'later', '-n', '3', '--settle', 'defer', '--ndjson'])
    assert.equal(deferred.code, 0, deferred.stderr)
    const numbers = ndjson(deferred.stdout).map(message => String(message.sequenceNumber))
    assert.equal(numbers.length, 3)
    assert.equal(fx.emulator.broker.runtimeCounts('later').deferredMessageCount, 3)

    const missing = await fx.qjob(['receive', '-q', 'later', '--sequence', numbers[0], '999'])
    assert.equal(missing.code, 3, missing.stderr)
    assert.equal(fx.emulator.broker.runtimeCounts('later').deferredMessageCount, 3, 'all or nothing')

    const taken = await fx.qjob(['receive', '-q', 'later', '--sequence', `${numbers[0]},${numbers[1]}`, '--json'])
    assert.equal(taken.code, 0, taken.stderr)
    const messages = JSON.parse(taken.stdout) as Array<{body: string; deliveryCount: number; state: string}>
    assert.deepEqual(
      messages.map(message => [message.body, message.state, message.deliveryCount]),
      [
        ['one', 'deferred', 1],
        ['two', 'deferred', 1],
      ],
    )
    assert.equal(fx.emulator.broker.runtimeCounts('later').deferredMessageCount, 1, 'completed by default')

    const dead = await fx.qjob(['receive', '-q', 'later', '--sequence', numbers[2], '--settle', 'dead-letter', '--reason', 'Stale'])
    assert.equal(dead.code, 0, dead.stderr)
    assert.match(dead.stdout, /three/)
    const counts = fx.emulator.broker.runtimeCounts('later')
    assert.deepEqual([counts.deferredMessageCount, counts.deadLetterMessageCount], [0, 1])

    const bad = await fx.qjob(['receive', '-q', 'later', '--sequence', 'x1'])
    assert.equal(bad.code, 2, bad.stderr)
  })
})
