import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'

import {ServiceBusClient} from '@azure/service-bus'
import Long from 'long'

import {type MessagingFixture, ndjson, startMessagingFixture} from './helpers.js'

describe('qjob peek, schedule and dlq against the emulator', () => {
  let fx: MessagingFixture
  let client: ServiceBusClient
  before(async () => {
    fx = await startMessagingFixture([
      {name: 'peeks'},
      {name: 'copy'},
      {name: 'later'},
      {name: 'dead', maxDeliveryCount: 1},
      {name: 'empty'},
      {name: 'bounce'},
    ])
    client = new ServiceBusClient(fx.emulator.connectionString, {retryOptions: {maxRetries: 0, timeoutInMs: 10_000}})
  })
  after(async () => {
    await client.close()
    await fx.stop()
  })

  async function deadLetter(queue: string, bodies: string[], reason: (i: number) => string) {
    const sender = client.createSender(queue)
    await sender.sendMessages(bodies.map(body => ({body: Buffer.from(body), messageId: body})))
    await sender.close()
    const receiver = client.createReceiver(queue)
    let done = 0
    while (done < bodies.length) {
      for (const message of await receiver.receiveMessages(bodies.length - done, {maxWaitTimeInMs: 3000})) {
        await receiver.deadLetterMessage(message, {deadLetterReason: reason(done), deadLetterErrorDescription: `failed ${done}`})
        done++
      }
    }
    await receiver.close()
  }

  it('peek shows a table by default and changes nothing', async () => {
    const sender = client.createSender('peeks')
    await sender.sendMessages([
      {body: Buffer.from('{"job":1}'), subject: 'resize', contentType: 'application/json'},
      {body: Buffer.from('plain text'), applicationProperties: {tenant: 'acme', n: 3}, correlationId: 'c-9', timeToLive: 3_600_000},
      {body: Buffer.from([0, 255, 1])},
      {body: Buffer.from('"a json string"')},
    ])
    await sender.close()
    const result = await fx.qjob(['peek', '-q', 'peeks'])
    assert.equal(result.code, 0, result.stderr)
    const lines = result.stdout.trimEnd().split('\n')
    assert.match(lines[0], /^SEQ\s+ENQUEUED\s+STATE\s+SUBJECT\s+SIZE\s+BODY$/)
    assert.equal(lines.length, 5)
    assert.match(lines[1], /^\s*1\s+\d{4}-\d\d-\d\d \S+Z\s+active\s+resize\s+9\s+\{"job":1\}$/)
    assert.match(lines[3], /<3 bytes binary>/)
    assert.equal(fx.emulator.broker.runtimeCounts('peeks').activeMessageCount, 4)
  })

  it('peek -n, --from-sequence and --json', async () => {
    const result = await fx.qjob(['peek', '-q', 'peeks', '-n', '2', '--from-sequence', '2', '--json'])
    assert.equal(result.code, 0, result.stderr)
    const messages = JSON.parse(result.stdout) as Array<Record<string, unknown>>
    assert.deepEqual(
      messages.map(m => m.sequenceNumber),
      ['2', '3'],
      'sequence numbers are decimal strings',
    )
    assert.equal(messages[0].body, 'plain text')
    assert.deepEqual(messages[0].applicationProperties, {tenant: 'acme', n: 3})
    assert.equal(messages[0].timeToLive, 3_600_000)
    assert.equal(messages[0].state, 'active')
    assert.deepEqual([messages[1].body, messages[1].bodyEncoding], [Buffer.from([0, 255, 1]).toString('base64'), 'base64'])
  })

  it('peek --all --ndjson | send --ndjson copies body bytes, properties and application properties', async () => {
    const peeked = await fx.qjob(['peek', '-q', 'peeks', '--all', '--ndjson'])
    assert.equal(peeked.code, 0, peeked.stderr)
    assert.equal(ndjson(peeked.stdout).length, 4)
    const sent = await fx.qjob(['send', '-q', 'copy', '--ndjson', '--concurrency', '1'], {input: peeked.stdout})
    assert.equal(sent.code, 0, sent.stderr)
    const original = client.createReceiver('peeks', {skipParsingBodyAsJson: true})
    const copy = client.createReceiver('copy', {skipParsingBodyAsJson: true})
    const a = await original.peekMessages(10, {fromSequenceNumber: Long.fromNumber(1)})
    const b = await copy.peekMessages(10, {fromSequenceNumber: Long.fromNumber(1)})
    await original.close()
    await copy.close()
    assert.equal(b.length, 4)
    for (const [i, message] of a.entries()) {
      assert.deepEqual(Buffer.from(b[i].body as Uint8Array), Buffer.from(message.body as Uint8Array), `body ${i}`)
      for (const field of ['messageId', 'subject', 'contentType', 'correlationId', 'timeToLive'] as const)
        assert.equal(b[i][field], message[field], `${field} ${i}`)
      assert.deepEqual(b[i].applicationProperties ?? {}, message.applicationProperties ?? {})
    }
  })

  it('peek of an empty queue says so; --json gives []', async () => {
    let result = await fx.qjob(['peek', '-q', 'empty'])
    assert.deepEqual([result.code, result.stdout], [0, 'No messages.\n'])
    result = await fx.qjob(['peek', '-q', 'empty', '--json'])
    assert.deepEqual(JSON.parse(result.stdout), [])
  })

  it('schedule prints sequence numbers; schedule list shows them; cancel removes them', async () => {
    let result = await fx.qjob(['schedule', '-q', 'later', 'tick', '--in', '1h', '--count', '3', '--subject', 'cron', '--json'])
    assert.equal(result.code, 0, result.stderr)
    const scheduled = JSON.parse(result.stdout) as {sequenceNumbers: string[]; scheduledFor: string}
    assert.equal(scheduled.sequenceNumbers.length, 3)
    assert.ok(Math.abs(Date.parse(scheduled.scheduledFor) - Date.now() - 3_600_000) < 60_000)

    result = await fx.qjob(['schedule', 'list', '-q', 'later', '--json'])
    const listed = JSON.parse(result.stdout) as Array<{
      sequenceNumber: string
      state: string
      scheduledEnqueueTime: string
      subject: string
    }>
    assert.deepEqual(
      listed.map(m => m.sequenceNumber),
      scheduled.sequenceNumbers,
      'the same string form as schedule --json',
    )
    assert.ok(listed.every(m => m.state === 'scheduled' && m.subject === 'cron' && m.scheduledEnqueueTime === scheduled.scheduledFor))

    result = await fx.qjob(['schedule', 'cancel', '-q', 'later', ...scheduled.sequenceNumbers.slice(0, 2)])
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, 'Cancelled 2 scheduled messages on later\n')
    result = await fx.qjob(['schedule', 'list', '-q', 'later', '--json'])
    assert.deepEqual(
      (JSON.parse(result.stdout) as Array<{sequenceNumber: string}>).map(m => m.sequenceNumber),
      scheduled.sequenceNumbers.slice(2),
    )
  })

  it('a scheduled message becomes receivable at its time', async () => {
    const at = new Date(Date.now() + 1500).toISOString()
    const result = await fx.qjob(['schedule', '-q', 'later', 'soon', '--at', at])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /^Scheduled 1 message on later for .*\nSequence number: \d+\n$/)
    const received = await fx.qjob(['receive', '-q', 'later', '--idle-timeout', '10', '--ndjson'])
    assert.equal(ndjson(received.stdout)[0].body, 'soon')
  })

  it('schedule rejects bad times with exit 2', async () => {
    for (const args of [['--at', 'tomorrow'], ['--in', '10 parsecs'], []]) {
      const result = await fx.qjob(['schedule', '-q', 'later', 'x', ...args])
      assert.equal(result.code, 2, args.join(' '))
    }
  })

  it('dlq peek shows reasons and filters by reason', async () => {
    await deadLetter('dead', ['d0', 'd1', 'd2', 'd3'], i => (i % 2 === 0 ? 'BadInput' : 'Timeout'))
    let result = await fx.qjob(['dlq', 'peek', '-q', 'dead'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /^\s*SEQ\s+ENQUEUED\s+REASON\s+DESCRIPTION\s+DELIVERIES\s+BODY\n/)
    assert.equal(result.stdout.trimEnd().split('\n').length, 5)
    result = await fx.qjob(['dlq', 'peek', '-q', 'dead', '--reason', 'Timeout', '--json'])
    const timeouts = JSON.parse(result.stdout) as Array<Record<string, unknown>>
    assert.deepEqual(
      timeouts.map(m => m.body),
      ['d1', 'd3'],
    )
    assert.equal(timeouts[0].deadLetterErrorDescription, 'failed 1')
  })

  it('dlq resubmit --dry-run changes nothing; --reason --all moves only those, properties kept', async () => {
    let result = await fx.qjob(['dlq', 'resubmit', '-q', 'dead', '--reason', 'BadInput', '--all', '--dry-run', '--json'])
    assert.equal(result.code, 0, result.stderr)
    assert.equal((JSON.parse(result.stdout) as {sequenceNumbers: string[]}).sequenceNumbers.length, 2)
    assert.equal(fx.emulator.broker.runtimeCounts('dead').deadLetterMessageCount, 4)

    result = await fx.qjob(['dlq', 'resubmit', '-q', 'dead', '--reason', 'BadInput', '--all'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /^Resubmitted 2 dead letters to dead: /)
    const counts = fx.emulator.broker.runtimeCounts('dead')
    assert.deepEqual([counts.activeMessageCount, counts.deadLetterMessageCount], [2, 2])
    const receiver = client.createReceiver('dead', {receiveMode: 'receiveAndDelete', skipParsingBodyAsJson: true})
    const back = await receiver.receiveMessages(2, {maxWaitTimeInMs: 3000})
    await receiver.close()
    assert.deepEqual(back.map(m => Buffer.from(m.body as Uint8Array).toString()).sort(), ['d0', 'd2'])
    // A new message id each (duplicate detection would drop a copy with the old one).
    assert.ok(back.every(m => m.deadLetterReason === undefined && m.messageId !== Buffer.from(m.body as Uint8Array).toString()))
  })

  it('dlq resubmit --all moves what was dead when it started, even while a worker dead-letters the copies again', async () => {
    await deadLetter('bounce', ['b0', 'b1', 'b2'], () => 'Broken')
    // A worker that still rejects everything it gets.
    const worker = client.createReceiver('bounce')
    const subscription = worker.subscribe(
      {
        processMessage: message =>
          worker.deadLetterMessage(message, {deadLetterReason: 'StillBroken', deadLetterErrorDescription: 'again'}),
        processError: async () => undefined,
      },
      {autoCompleteMessages: false},
    )
    try {
      const result = await fx.qjob(['dlq', 'resubmit', '-q', 'bounce', '--all', '--json'])
      assert.equal(result.code, 0, result.stderr)
      const moved = JSON.parse(result.stdout) as {resubmitted: number}
      assert.equal(moved.resubmitted, 3)
    } finally {
      await subscription.close()
      await worker.close()
    }
  })

  it('dlq resubmit needs a selection; dlq purge needs --yes off a terminal, then empties the DLQ', async () => {
    let result = await fx.qjob(['dlq', 'resubmit', '-q', 'dead'])
    assert.equal(result.code, 2)
    result = await fx.qjob(['dlq', 'purge', '-q', 'dead'])
    assert.equal(result.code, 2)
    assert.match(result.stderr, /Refusing without --yes/)
    assert.equal(fx.emulator.broker.runtimeCounts('dead').deadLetterMessageCount, 2)
    result = await fx.qjob(['dlq', 'purge', '-q', 'dead', '--yes', '--json'])
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(JSON.parse(result.stdout), {queue: 'dead', deadLetter: true, removed: 2})
    assert.equal(fx.emulator.broker.runtimeCounts('dead').deadLetterMessageCount, 0)
  })
})
