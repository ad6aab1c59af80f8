// The log's record encoding: message records' JSON is written by hand (for speed), so it must be
// exactly what JSON.stringify makes of the same fields, and frames must decode back to the record.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import type {StoredMessage} from '../../src/emulator/servicebus/broker/message.js'
import {
  encodeRecord,
  encodeRecords,
  headerAt,
  recordAt,
  recordJson,
  type BodyPlacement,
} from '../../src/emulator/servicebus/store/log-codec.js'
import type {StoreRecord} from '../../src/emulator/servicebus/store/message-store.js'
import {
  OPTIONAL_NUMBER_FIELDS,
  OPTIONAL_STRING_FIELDS,
  plainFields,
  queuedMessage,
} from '../../src/emulator/servicebus/store/queued-message.js'

const base = {sequenceNumber: 42, enqueuedTimeUtc: 1_764_600_000_123, deliveryCount: 3, state: 'deferred' as const}
const messages: StoredMessage[] = [
  {...base, messageId: 'plain', payload: Buffer.from('a')},
  queuedMessage({...base, messageId: 'queued'}, Buffer.from('b')),
  queuedMessage(
    {
      ...base,
      messageId: 'quotes " and \\ and \u2028 and ✓ and \u0001',
      expiresAtUtc: 8.64e15,
      timeToLiveMs: 0,
      scheduledEnqueueTimeUtc: 1_764_600_100_000,
      sessionId: 'sessión "1"',
      partitionKey: '',
      deadLetterSource: 'jobs/$DeadLetterQueue',
    },
    Buffer.alloc(0),
  ),
  // Not a well-formed message (no id): still the JSON stringify makes, never an invalid record.
  {...base, payload: Buffer.from('c')} as unknown as StoredMessage,
]

test('message records are the JSON JSON.stringify makes of their fields', () => {
  // The record's fields are written by name: one message here sets every optional field there is.
  for (const field of [...OPTIONAL_NUMBER_FIELDS, ...OPTIONAL_STRING_FIELDS]) assert.notEqual(messages[2][field], undefined, field)
  for (const message of messages) {
    const records: StoreRecord[] = [
      {type: 'message-put', queue: 'Jobs "x"', subQueue: 'deadLetter', message},
      {type: 'message-move', queue: 'jobs', from: 'main', to: 'deadLetter', message},
    ]
    for (const record of records) {
      const expected = JSON.stringify({...record, message: plainFields(message)})
      assert.deepEqual(JSON.parse(recordJson(record)), JSON.parse(expected), String(message.messageId))
    }
  }
})

test('a frame decodes back to its record, body included', () => {
  for (const message of messages.filter(message => message.messageId !== undefined)) {
    const record: StoreRecord = {type: 'message-put', queue: 'jobs', subQueue: 'main', message}
    const frame = encodeRecord(record)
    const bodyLength = headerAt(frame, 0)
    assert.ok(bodyLength !== undefined)
    const decoded = recordAt(frame, 0, bodyLength)
    assert.ok(decoded?.type === 'message-put')
    assert.deepEqual(
      {...plainFields(decoded.message), payload: decoded.message.payload},
      {...plainFields(message), payload: message.payload},
    )
  }
})

test("an append's records encode into one buffer: their frames one after another, bodies at the same offsets", () => {
  const wellFormed = messages.filter(message => message.messageId !== undefined)
  const records: StoreRecord[] = [
    {type: 'message-put', queue: 'jobs', subQueue: 'main', message: wellFormed[0]},
    {type: 'message-delete', queue: 'jobs', subQueue: 'main', sequenceNumber: 7},
    {type: 'batch', records: wellFormed.map(message => ({type: 'message-put', queue: 'fan', subQueue: 'main', message}))},
    {type: 'message-move', queue: 'jobs', from: 'main', to: 'deadLetter', message: wellFormed[1]},
  ]
  const oneByOne: BodyPlacement[] = []
  const frames: Buffer[] = []
  for (const record of records)
    frames.push(
      encodeRecord(
        record,
        undefined,
        oneByOne,
        frames.reduce((sum, frame) => sum + frame.length, 0),
      ),
    )
  const together: BodyPlacement[] = []
  assert.deepEqual(encodeRecords(records, together), Buffer.concat(frames))
  assert.deepEqual(
    together.map(body => body.at),
    oneByOne.map(body => body.at),
  )
  assert.equal(together.length, 1 + wellFormed.length + 1)
})
