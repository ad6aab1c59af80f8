// The log's record encoding: message records' JSON is written by hand (for speed), so it must be
// exactly what JSON.stringify makes of the same fields; message-put records are written as binary
// put groups, which must decode back to the same records, bodies at the offsets reported; logs
// written before put groups (a JSON frame a message) must still read.
import assert from 'node:assert/strict'
import {test} from 'node:test'
import {crc32} from 'node:zlib'

import type {StoredMessage} from '../../src/emulator/servicebus/broker/message.js'
import {
  encodeRecords,
  FRAME_HEADER_BYTES,
  FRAME_MAGIC,
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
  type QueuedMessage,
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

/** An append's buffers as one: what lands in the log. */
const encoded = (records: StoreRecord[], bodies?: BodyPlacement[], base?: number) => Buffer.concat(encodeRecords(records, bodies, base))

/** Every frame of `data` decoded in turn (bodies in memory, or parked at their place in log 1). */
function decodeAll(data: Buffer, parked = false): StoreRecord[] {
  const records: StoreRecord[] = []
  for (let at = 0; at < data.length;) {
    const bodyLength = headerAt(data, at)
    assert.ok(bodyLength !== undefined, `a frame header at ${at}`)
    const record = recordAt(data, at, bodyLength, parked ? {log: 1, at} : undefined)
    assert.ok(record, `an intact frame at ${at}`)
    records.push(record)
    at += FRAME_HEADER_BYTES + bodyLength
  }
  return records
}

/** A batch's records, flattened: what a replay applies. */
function flat(records: StoreRecord[]): StoreRecord[] {
  return records.flatMap(record => (record.type === 'batch' ? flat(record.records) : [record]))
}

const asWritten = (record: StoreRecord) =>
  record.type === 'message-put' || record.type === 'message-move'
    ? {...record, message: {...plainFields(record.message), payload: record.message.payload}}
    : record

const wellFormed = messages.filter(message => message.messageId !== undefined)

test('message-put records of one queue and sub-queue appended together are one put group frame, decoded back whole', () => {
  const records: StoreRecord[] = [
    ...wellFormed.map(message => ({type: 'message-put', queue: 'jöbs', subQueue: 'main', message}) as const),
    {type: 'message-put', queue: 'jöbs', subQueue: 'deadLetter', message: wellFormed[0]},
    {type: 'message-delete', queue: 'jobs', subQueue: 'main', sequenceNumber: 7},
    {type: 'message-put', queue: 'other', subQueue: 'main', message: wellFormed[1]},
  ]
  const frames = decodeAll(encoded(records))
  assert.deepEqual(
    frames.map(record => (record.type === 'batch' ? record.records.length : record.type)),
    [wellFormed.length, 1, 'message-delete', 1],
  )
  assert.deepEqual(flat(frames).map(asWritten), records.map(asWritten))
})

test("the bodies' offsets an encode reports are where the bodies are, and where replay parks them", () => {
  const records: StoreRecord[] = [
    {type: 'message-put', queue: 'jobs', subQueue: 'main', message: wellFormed[0]},
    {type: 'message-delete', queue: 'jobs', subQueue: 'main', sequenceNumber: 7},
    {type: 'batch', records: wellFormed.map(message => ({type: 'message-put', queue: 'fan', subQueue: 'main', message}))},
    {type: 'message-move', queue: 'jobs', from: 'main', to: 'deadLetter', message: wellFormed[1]},
    {type: 'message-put', queue: 'jobs', subQueue: 'main', message: wellFormed[1]},
  ]
  const bodies: BodyPlacement[] = []
  const base = 1000
  const data = encoded(records, bodies, base)
  assert.equal(bodies.length, 1 + wellFormed.length + 2)
  for (const body of bodies) {
    const expected = body.message.payload
    assert.deepEqual(data.subarray(body.at - base, body.at - base + expected.length), expected)
  }
  // Replay parks each body at its offset in the file (log 1): the same offsets, counted from 0.
  const parked = flat(decodeAll(data, true)).flatMap(record =>
    record.type === 'message-put' || record.type === 'message-move' ? [(record.message as QueuedMessage).bodyPlace] : [],
  )
  assert.deepEqual(
    parked,
    bodies.map(body => [1, body.at - base]),
  )
})

test('a put group takes bodies up to 128 KB, and an append is written in buffers of up to 192 KB', () => {
  const records: StoreRecord[] = Array.from({length: 40}, (_, i) => ({
    type: 'message-put',
    queue: 'big',
    subQueue: 'main',
    message: queuedMessage({...base, sequenceNumber: i + 1, messageId: `m-${i}`}, Buffer.alloc(40 * 1024, i)),
  }))
  const buffers = encodeRecords(records)
  const frames = decodeAll(Buffer.concat(buffers))
  // A group takes messages until its bodies reach 128 KB: four of 40 KB each.
  assert.deepEqual(
    frames.map(record => (record.type === 'batch' ? record.records.length : record.type)),
    Array(10).fill(4),
  )
  assert.deepEqual(flat(frames).map(asWritten), records.map(asWritten))
  // A 160 KB group frame a buffer: two would be over 192 KB.
  assert.equal(buffers.length, 10)
  // A message bigger than a buffer is a frame of its own.
  const huge = queuedMessage({...base, messageId: 'huge'}, Buffer.alloc(512 * 1024, 1))
  const alone = encodeRecords([records[0], {type: 'message-put', queue: 'other', subQueue: 'main', message: huge}])
  assert.equal(alone.length, 2)
  assert.ok(alone[1].length > 512 * 1024)
})

test('a message-put written as JSON (logs from before put groups) still decodes', () => {
  for (const message of wellFormed) {
    const record: StoreRecord = {type: 'message-put', queue: 'jobs', subQueue: 'main', message}
    const json = Buffer.from(recordJson(record), 'utf8')
    const body = Buffer.concat([Buffer.alloc(4), json, message.payload])
    body.writeUInt32BE(json.length, 0)
    const frame = Buffer.concat([FRAME_MAGIC, Buffer.alloc(12), body])
    frame.writeUInt32BE(body.length, 4)
    frame.writeUInt32BE(crc32(body, crc32(frame.subarray(4, 8))), 8)
    frame.writeUInt32BE(crc32(frame.subarray(0, 12)), 12)
    assert.deepEqual(decodeAll(frame).map(asWritten), [asWritten(record)])
  }
})

test('a put group whose table does not add up is damage, not an exception', () => {
  const frame = encoded(wellFormed.map(message => ({type: 'message-put', queue: 'jobs', subQueue: 'main', message})))
  const reseal = (data: Buffer) => {
    data.writeUInt32BE(crc32(data.subarray(FRAME_HEADER_BYTES), crc32(data.subarray(4, 8))), 8)
    data.writeUInt32BE(crc32(data.subarray(0, 12)), 12)
    return data
  }
  const table = frame.readUInt32BE(FRAME_HEADER_BYTES) & 0x7fffffff
  const damage = [
    (data: Buffer) => data.writeUInt32BE(0x80000000 + table - 1, FRAME_HEADER_BYTES), // table one byte short
    (data: Buffer) => data.writeUInt32LE(999, FRAME_HEADER_BYTES + 4 + 4 + 4 + 1), // more messages than it holds
    (data: Buffer) => data.writeUInt8(7, FRAME_HEADER_BYTES + 4 + 4 + 4), // no such sub-queue
    (data: Buffer) => data.writeUInt32LE(0xffffff, FRAME_HEADER_BYTES + 4), // the queue name runs past the end
  ]
  for (const [i, change] of damage.entries()) {
    const data = Buffer.from(frame)
    change(data)
    reseal(data)
    const bodyLength = headerAt(data, 0)
    assert.ok(bodyLength !== undefined)
    assert.equal(recordAt(data, 0, bodyLength), undefined, `damage ${i}`)
  }
})
