// What the broker reads from an incoming message: parseIncoming decodes only the fields it needs,
// one by one, out of messages encoded as rhea (under the SDK) encodes them, small and large.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {parseIncoming} from '../../src/emulator/servicebus/amqp/message-codec.js'
import {MalformedMessageError} from '../../src/emulator/servicebus/amqp/message-sections.js'
import {amqpMessage, amqpTypes} from '../../src/emulator/servicebus/amqp/rhea-types.js'

const encode = (message: Record<string, unknown>) => amqpMessage.encode(message as never)

test('message id, session, TTL, partition key and scheduled time come out of the sections', () => {
  const scheduled = new Date('2026-12-24T08:00:00Z')
  const incoming = parseIncoming(
    encode({
      message_id: 'job-1',
      group_id: 'customer-7',
      ttl: 60_000,
      durable: true,
      message_annotations: {'x-opt-other': 1, 'x-opt-partition-key': 'p1', 'x-opt-scheduled-enqueue-time': scheduled},
      application_properties: {kind: 'invoice'},
      body: 'hello',
    }),
  )
  assert.equal(incoming.messageId, 'job-1')
  assert.equal(incoming.sessionId, 'customer-7')
  assert.equal(incoming.timeToLiveMs, 60_000)
  assert.equal(incoming.partitionKey, 'p1')
  assert.equal(incoming.scheduledEnqueueTimeUtc, scheduled.getTime())
})

test('large sections (32-bit lists and maps), uuid and numeric ids, and none at all', () => {
  const long = 's'.repeat(300)
  const large = parseIncoming(encode({message_id: long, group_id: long, message_annotations: {'x-opt-partition-key': long}, body: 'x'}))
  assert.deepEqual([large.messageId, large.sessionId, large.partitionKey], [long, long, long])
  const uuid = Buffer.from('00112233445566778899aabbccddeeff', 'hex')
  assert.equal(parseIncoming(encode({message_id: amqpTypes.wrap_uuid(uuid), body: 'x'})).messageId, '00112233-4455-6677-8899-aabbccddeeff')
  assert.equal(parseIncoming(encode({message_id: amqpTypes.wrap_ulong(42), body: 'x'})).messageId, '42')
  const bare = parseIncoming(encode({body: 'x'}))
  assert.match(bare.messageId!, /^[0-9a-f-]{36}$/)
  assert.equal(parseIncoming(bare.payload).messageId, bare.messageId, 'the assigned id is written into the message')
  assert.equal(bare.sessionId, undefined)
  assert.equal(bare.timeToLiveMs, undefined)
  // An id assigned by the broker rewrites the properties: the other fields still come from the message as sent.
  const session = parseIncoming(
    encode({group_id: 'customer-7', ttl: 5000, message_annotations: {'x-opt-partition-key': 'customer-7'}, body: 'x'}),
  )
  assert.match(session.messageId!, /^[0-9a-f-]{36}$/)
  assert.deepEqual([session.sessionId, session.timeToLiveMs, session.partitionKey], ['customer-7', 5000, 'customer-7'])
  assert.equal(parseIncoming(session.payload).sessionId, 'customer-7')
})

test('a properties list that claims more fields than it holds is a decode error', () => {
  const payload = Buffer.from(encode({message_id: 'a', body: 'x'}))
  const list = payload.indexOf(0xc0)
  payload[list + 2] += 5
  assert.throws(() => parseIncoming(payload), MalformedMessageError)
})
