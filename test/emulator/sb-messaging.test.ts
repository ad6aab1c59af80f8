// The real @azure/service-bus SDK against an in-process emulator: send (single and batch),
// round trips of every property and body type, peek-lock and receive-and-delete, settlement
// (complete, abandon, defer, dead-letter), the dead-letter queue in both modes, unknown entities.
import assert from 'node:assert/strict'
import {after, before, describe, test} from 'node:test'

import {AmqpAnnotatedMessage} from '@azure/core-amqp'
import rhea from 'rhea'

import {decodeTyped} from '../../src/emulator/servicebus/amqp/rhea-types.js'
import {SECTION, splitSections} from '../../src/emulator/servicebus/amqp/message-sections.js'
import {rejectionOf, startTestEmulator, type TestEmulator} from './helpers.js'

let t: TestEmulator

before(async () => {
  t = await startTestEmulator({
    queues: [{name: 'plain'}, {name: 'batch'}, {name: 'types'}, {name: 'settle'}, {name: 'dlq'}, {name: 'rnd'}, {name: 'annotated'}],
  })
})
after(() => t.stop())

describe('send and receive', () => {
  test('a single message comes back with broker properties set', async () => {
    const before = Date.now()
    await t.client.createSender('plain').sendMessages({body: {hello: 'world'}, messageId: 'm-1'})
    const receiver = t.client.createReceiver('plain')
    const [message] = await receiver.receiveMessages(1, {maxWaitTimeInMs: 5000})
    assert.deepEqual(message.body, {hello: 'world'})
    assert.equal(message.messageId, 'm-1')
    assert.equal(message.sequenceNumber?.toNumber(), 1)
    assert.equal(message.deliveryCount, 0)
    assert.match(message.lockToken ?? '', /^[0-9a-f-]{36}$/)
    assert.ok(message.enqueuedTimeUtc!.getTime() >= before - 1000)
    assert.ok(message.lockedUntilUtc!.getTime() > Date.now() + 30_000, 'locked for the default 60 s')
    assert.equal(message.state, 'active')
    await receiver.completeMessage(message)
    assert.equal(t.emulator.broker.runtimeCounts('plain').totalMessageCount, 0)
  })

  test('arrays and batches are split into messages with consecutive sequence numbers', async () => {
    const sender = t.client.createSender('batch')
    await sender.sendMessages([{body: 'a'}, {body: 'b'}])
    const batch = await sender.createMessageBatch()
    for (let i = 0; i < 50; i++) assert.ok(batch.tryAddMessage({body: `batch-${i}`, applicationProperties: {i}}))
    await sender.sendMessages(batch)
    const receiver = t.client.createReceiver('batch', {receiveMode: 'receiveAndDelete'})
    const received = []
    while (received.length < 52) received.push(...(await receiver.receiveMessages(52 - received.length, {maxWaitTimeInMs: 2000})))
    assert.deepEqual(
      received.map(m => m.body),
      ['a', 'b', ...Array.from({length: 50}, (_, i) => `batch-${i}`)],
    )
    assert.deepEqual(
      received.map(m => m.sequenceNumber!.toNumber()),
      Array.from({length: 52}, (_, i) => i + 1),
    )
    assert.equal(received[51].applicationProperties?.i, 49)

    await sender.sendMessages(await sender.createMessageBatch())
    assert.equal(t.emulator.broker.runtimeCounts('batch').totalMessageCount, 0, 'an empty batch enqueues nothing')
  })

  test('every message property and application property type round-trips', async () => {
    const date = new Date('2024-05-06T07:08:09.123Z')
    const sent = {
      body: Buffer.from([0, 1, 2, 254, 255]),
      messageId: 'id-42',
      correlationId: 'corr-7',
      contentType: 'application/octet-stream',
      subject: 'the subject',
      to: 'someone',
      replyTo: 'reply-queue',
      replyToSessionId: 'reply-session',
      sessionId: 'session-1',
      partitionKey: 'session-1',
      timeToLive: 3_600_000,
      applicationProperties: {int: 7, negative: -3, big: 2 ** 40, double: 1.5, text: 'hé', yes: true, no: false, when: date, nothing: null},
    }
    await t.client.createSender('types').sendMessages(sent)
    // skipConvertingDate: the SDK itself turns timestamps into numbers unless asked not to.
    const receiver = t.client.createReceiver('types', {receiveMode: 'receiveAndDelete', skipConvertingDate: true})
    const [message] = await receiver.receiveMessages(1, {maxWaitTimeInMs: 5000})
    assert.deepEqual(message.body, sent.body)
    for (const key of [
      'messageId',
      'correlationId',
      'contentType',
      'subject',
      'to',
      'replyTo',
      'replyToSessionId',
      'sessionId',
      'partitionKey',
      'timeToLive',
    ] as const) {
      assert.deepEqual(message[key], sent[key], key)
    }
    assert.deepEqual(message.applicationProperties, sent.applicationProperties)
    assert.equal(message.expiresAtUtc!.getTime(), message.enqueuedTimeUtc!.getTime() + 3_600_000)
  })

  test('value and sequence bodies and typed AMQP values are kept exactly as sent', async () => {
    const sender = t.client.createSender('annotated')
    const typed = {
      ubyte: rhea.types.wrap_ubyte(200),
      short: rhea.types.wrap_short(-1234),
      long: rhea.types.wrap_long(2 ** 50),
      float: rhea.types.wrap_float(0.5),
      symbol: rhea.types.wrap_symbol('sym'),
      uuid: rhea.types.wrap_uuid(Buffer.alloc(16, 7)),
      binary: rhea.types.wrap_binary(Buffer.from('bin')),
      list: rhea.types.wrap_list([1, 'two']),
    }
    const annotated: AmqpAnnotatedMessage = {
      body: {nested: [1, 2, {three: true}]},
      bodyType: 'value',
      header: {priority: 7, durable: true},
      applicationProperties: typed as never,
      properties: {messageId: 'annotated-1', groupSequence: 3},
      footer: {checksum: 'abc'},
    }
    await sender.sendMessages(annotated)
    await sender.sendMessages({
      body: [
        [1, 'a'],
        [2, 'b'],
      ],
      bodyType: 'sequence' as never,
      messageId: 'seq-1',
    } as never)

    const stored = t.emulator.broker.messageBySequence('annotated', 1)!
    const appProps = splitSections(stored.payload).find(section => section.code === SECTION.applicationProperties)!
    const items = decodeTyped(stored.payload.subarray(appProps.start, appProps.end)).value as Array<{type: {name: string}}>
    assert.deepEqual(
      items.filter((_, i) => i % 2 === 1).map(item => item.type.name),
      ['Ubyte', 'Short', 'Long', 'Float', 'Sym8', 'Uuid', 'Vbin8', 'List32'],
    )

    const receiver = t.client.createReceiver('annotated', {receiveMode: 'receiveAndDelete'})
    const [value, sequence] = await receiver.receiveMessages(2, {maxWaitTimeInMs: 5000})
    const raw = value._rawAmqpMessage
    assert.equal(raw.bodyType, 'value')
    assert.deepEqual(value.body, {nested: [1, 2, {three: true}]})
    assert.equal(raw.header?.priority, 7)
    assert.equal(raw.properties?.groupSequence, 3)
    assert.deepEqual(raw.footer, {checksum: 'abc'})
    assert.equal(value.applicationProperties?.ubyte, 200)
    assert.equal(value.applicationProperties?.short, -1234)
    assert.equal(value.applicationProperties?.symbol, 'sym')
    assert.equal(sequence._rawAmqpMessage.bodyType, 'sequence')
    assert.deepEqual(sequence.body, [
      [1, 'a'],
      [2, 'b'],
    ])
  })

  test('unknown queues give the SDK entity-not-found error for senders and receivers', async () => {
    const sendError = await rejectionOf(t.client.createSender('no-such-queue').sendMessages({body: 1}))
    assert.equal(sendError.code, 'MessagingEntityNotFound')
    const receiveError = await rejectionOf(t.client.createReceiver('no-such-queue').receiveMessages(1, {maxWaitTimeInMs: 1000}))
    assert.equal(receiveError.code, 'MessagingEntityNotFound')
  })
})

describe('settlement', () => {
  test('abandon redelivers with the delivery count raised and properties modified', async () => {
    await t.client.createSender('settle').sendMessages({body: 'again', applicationProperties: {keep: 'yes'}})
    const receiver = t.client.createReceiver('settle', {maxAutoLockRenewalDurationInMs: 0})
    const [first] = await receiver.receiveMessages(1, {maxWaitTimeInMs: 5000})
    await receiver.abandonMessage(first, {attempt: 1})
    const [second] = await receiver.receiveMessages(1, {maxWaitTimeInMs: 5000})
    assert.equal(second.sequenceNumber!.toNumber(), first.sequenceNumber!.toNumber())
    assert.equal(second.deliveryCount, 1)
    assert.deepEqual(second.applicationProperties, {keep: 'yes', attempt: 1})
    assert.notEqual(second.lockToken, first.lockToken)

    await receiver.deferMessage(second, {deferred: true})
    const counts = t.emulator.broker.runtimeCounts('settle')
    assert.equal(counts.deferredMessageCount, 1)
    assert.equal(counts.activeMessageCount, 0)
    const stored = t.emulator.broker.messageBySequence('settle', first.sequenceNumber!.toNumber())!
    assert.equal(stored.state, 'deferred')
    assert.deepEqual(await receiver.receiveMessages(1, {maxWaitTimeInMs: 300}), [], 'a deferred message leaves the normal flow')

    await t.client.createSender('settle').sendMessages({body: 'done'})
    const [third] = await receiver.receiveMessages(1, {maxWaitTimeInMs: 5000})
    await receiver.completeMessage(third)
    assert.equal(t.emulator.broker.runtimeCounts('settle').totalMessageCount, 1, 'only the deferred message is left')
  })

  test('dead-lettered messages carry reason, description and properties, receivable in both modes', async () => {
    const sender = t.client.createSender('dlq')
    await sender.sendMessages([{body: 'first', applicationProperties: {n: 1}}, {body: 'second'}])
    const receiver = t.client.createReceiver('dlq')
    const messages = await receiver.receiveMessages(2, {maxWaitTimeInMs: 5000})
    assert.equal(messages.length, 2)
    await receiver.deadLetterMessage(messages[0], {deadLetterReason: 'Invalid', deadLetterErrorDescription: 'bad input', extra: 'x'})
    await receiver.deadLetterMessage(messages[1])
    const counts = t.emulator.broker.runtimeCounts('dlq')
    assert.equal(counts.deadLetterMessageCount, 2)
    assert.equal(counts.activeMessageCount, 0)

    const dlqLock = t.client.createReceiver('dlq', {subQueueType: 'deadLetter'})
    const [dead] = await dlqLock.receiveMessages(1, {maxWaitTimeInMs: 5000})
    assert.equal(dead.body, 'first')
    assert.equal(dead.deadLetterReason, 'Invalid')
    assert.equal(dead.deadLetterErrorDescription, 'bad input')
    assert.equal(dead.deadLetterSource, 'dlq')
    assert.deepEqual(dead.applicationProperties, {n: 1, extra: 'x', DeadLetterReason: 'Invalid', DeadLetterErrorDescription: 'bad input'})
    await dlqLock.completeMessage(dead)

    const dlqDelete = t.client.createReceiver('dlq', {subQueueType: 'deadLetter', receiveMode: 'receiveAndDelete'})
    const [secondDead] = await dlqDelete.receiveMessages(1, {maxWaitTimeInMs: 5000})
    assert.equal(secondDead.body, 'second')
    assert.equal(secondDead.deadLetterReason, undefined)
    assert.equal(t.emulator.broker.runtimeCounts('dlq').totalMessageCount, 0)
  })

  test('receive-and-delete removes messages on delivery and has no lock token', async () => {
    await t.client.createSender('rnd').sendMessages([{body: 1}, {body: 2}, {body: 3}])
    const receiver = t.client.createReceiver('rnd', {receiveMode: 'receiveAndDelete'})
    const messages = await receiver.receiveMessages(10, {maxWaitTimeInMs: 500})
    assert.deepEqual(
      messages.map(m => m.body),
      [1, 2, 3],
    )
    assert.equal(messages[0].lockToken, undefined)
    assert.equal(t.emulator.broker.runtimeCounts('rnd').totalMessageCount, 0)
  })

  test('subscribe delivers messages to a handler and completes them', async () => {
    const sender = t.client.createSender('plain')
    await sender.sendMessages([{body: 'x'}, {body: 'y'}])
    const receiver = t.client.createReceiver('plain')
    const bodies: unknown[] = []
    await new Promise<void>((resolve, reject) => {
      const subscription = receiver.subscribe({
        async processMessage(message) {
          bodies.push(message.body)
          if (bodies.length === 2) subscription.close().then(resolve, reject)
        },
        async processError(args) {
          reject(args.error)
        },
      })
    })
    assert.deepEqual(bodies, ['x', 'y'])
    await receiver.close()
    assert.equal(t.emulator.broker.runtimeCounts('plain').totalMessageCount, 0)
  })
})
