// Misbehaving clients must never crash the emulator or lose acknowledged data: garbage bytes,
// a connection cut in the middle of a transfer (replayed from a real SDK session), and a
// client opening thousands of links.
import assert from 'node:assert/strict'
import {once} from 'node:events'
import {connect} from 'node:net'
import {after, before, describe, test} from 'node:test'

import rhea, {type Connection} from 'rhea'
import {ServiceBusClient} from '@azure/service-bus'

import {createSasToken} from '../../src/emulator/servicebus/auth/sas-token.js'
import {FAST_FAIL, startTcpProxy, startTestEmulator, until, type TestEmulator} from './helpers.js'

const KEY = 'robust-key-0123456789'
let t: TestEmulator

before(async () => {
  t = await startTestEmulator({
    policies: [{name: 'Root', key: KEY, rights: ['Manage', 'Listen', 'Send']}],
    queues: [{name: 'q'}, {name: 'links'}],
  })
})
after(() => t.stop())

async function stillServes(queue: string, body: string): Promise<void> {
  await t.client.createSender(queue).sendMessages({body})
  const [message] = await t.client.createReceiver(queue, {receiveMode: 'receiveAndDelete'}).receiveMessages(1, {maxWaitTimeInMs: 5000})
  assert.equal(message.body, body)
}

/**
 * Writes bytes on a raw socket and resolves when the emulator closes it; with `end`, the client
 * hangs up itself right after the bytes (FIN after the last byte, as a crashing client would).
 */
async function rawExchange(bytes: Buffer, {end = false} = {}): Promise<Buffer> {
  const socket = connect(t.emulator.port, '127.0.0.1')
  const chunks: Buffer[] = []
  socket.on('data', chunk => chunks.push(chunk))
  socket.on('error', () => {})
  await once(socket, 'connect')
  if (end) socket.end(bytes)
  else socket.write(bytes)
  // A server that keeps the connection open (e.g. HTTP keep-alive) must not hang the test.
  const timer = setTimeout(() => socket.destroy(), 10_000)
  await once(socket, 'close')
  clearTimeout(timer)
  return Buffer.concat(chunks)
}

/**
 * Replays a recorded client byte stream up to `length`, chunk by chunk as the client wrote it
 * (rhea handles bytes pipelined past the SASL exchange only on the next read), then hangs up.
 */
async function replay(chunks: Buffer[], length: number): Promise<void> {
  const socket = connect(t.emulator.port, '127.0.0.1')
  socket.on('error', () => {})
  await once(socket, 'connect')
  let written = 0
  for (const chunk of chunks) {
    if (written >= length) break
    const part = chunk.subarray(0, length - written)
    written += part.length
    socket.write(part)
    await new Promise(resolve => setTimeout(resolve, 5))
  }
  // Everything handed to the kernel, then the connection is gone (as when a client process dies).
  socket.end()
  await once(socket, 'finish')
  socket.destroy()
}

/** AMQP frames after the protocol headers: [offset, size, performative code]. */
function frames(data: Buffer): Array<{offset: number; size: number; code: number}> {
  const found = []
  let position = 0
  while (position + 8 <= data.length) {
    if (data.toString('latin1', position, position + 4) === 'AMQP') {
      position += 8
      continue
    }
    const size = data.readUInt32BE(position)
    const bodyStart = position + data[position + 4] * 4
    const code = data[bodyStart] === 0x00 && data[bodyStart + 1] === 0x53 ? data[bodyStart + 2] : -1
    found.push({offset: position, size, code})
    position += size
  }
  return found
}

describe('misbehaving clients', () => {
  test('garbage, HTTP and broken frames close that connection only', async () => {
    const baseline = t.emulator.connectionCount()
    await rawExchange(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))
    // A frame claiming 4 GB: the client goes away before sending it.
    await rawExchange(Buffer.from([0x41, 0x4d, 0x51, 0x50, 0x00, 0x01, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00]), {
      end: true,
    })
    const header = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0x00, 0x01, 0x00, 0x00])
    const badFrame = Buffer.from([0x00, 0x00, 0x00, 0x0c, 0x02, 0x00, 0x00, 0x00, 0x00, 0x53, 0x10, 0xee])
    await rawExchange(Buffer.concat([header, badFrame]))
    for (let i = 0; i < 20; i++) await rawExchange(Buffer.from(Array.from({length: 64}, (_, j) => (i * 31 + j * 17) & 0xff)), {end: true})
    await until(() => t.emulator.connectionCount() === baseline, 5000, 'connections to close')
    await stillServes('q', 'after garbage')
  })

  test('a connection cut in the middle of a transfer enqueues nothing and breaks nothing', async () => {
    // Record what a real SDK client sends through a proxy.
    const recorded: Buffer[] = []
    const proxy = await startTcpProxy(t.emulator.port, () => (chunk, upstream) => {
      recorded.push(chunk)
      upstream.write(chunk)
    })
    const {port} = proxy
    const client = new ServiceBusClient(
      `Endpoint=sb://127.0.0.1:${port};SharedAccessKeyName=Root;SharedAccessKey=${KEY};UseDevelopmentEmulator=true`,
      FAST_FAIL,
    )
    await client.createSender('q').sendMessages({body: 'x'.repeat(20_000), messageId: 'recorded'})
    await client.close()
    proxy.close()
    const session = Buffer.concat(recorded)
    const transfer = frames(session).find(frame => frame.code === 0x14 && frame.size > 20_000)
    assert.ok(transfer, 'the recording holds the transfer frame')
    const [message] = await t.client.createReceiver('q', {receiveMode: 'receiveAndDelete'}).receiveMessages(1, {maxWaitTimeInMs: 5000})
    assert.equal(message.messageId, 'recorded')

    // Replay up to the middle of the transfer, then cut the connection.
    const baseline = t.emulator.connectionCount()
    await replay(recorded, transfer.offset + Math.floor(transfer.size / 2))
    await until(() => t.emulator.connectionCount() === baseline, 5000, 'the cut connection to close')
    assert.equal(t.emulator.broker.runtimeCounts('q').totalMessageCount, 0, 'half a transfer is not a message')

    // The same bytes in full do enqueue it: the replay is faithful, so the cut was mid-transfer.
    await replay(recorded, transfer.offset + transfer.size)
    await until(() => t.emulator.broker.runtimeCounts('q').totalMessageCount === 1, 5000, 'the replayed message')
    const [replayed] = await t.client.createReceiver('q', {receiveMode: 'receiveAndDelete'}).receiveMessages(1, {maxWaitTimeInMs: 5000})
    assert.equal(replayed.messageId, 'recorded')
    await stillServes('q', 'after the cut')
  })

  test('thousands of links on one connection are served and cleaned up', async () => {
    const container = rhea.create_container()
    const connection: Connection = container.connect({host: '127.0.0.1', port: t.emulator.port, reconnect: false})
    try {
      await once(connection, 'connection_open')
      // Put a namespace-wide token through $cbs.
      const cbsReceiver = connection.open_receiver({source: {address: '$cbs'}, name: 'cbs-reply'})
      const cbsSender = connection.open_sender({target: {address: '$cbs'}})
      await once(cbsSender, 'sendable')
      const token = createSasToken(`sb://127.0.0.1:${t.emulator.port}/`, 'Root', KEY, Math.floor(Date.now() / 1000) + 600)
      cbsSender.send({
        message_id: 'put-1',
        reply_to: 'cbs-reply',
        application_properties: {operation: 'put-token', name: 'sb://x/', type: 'servicebus.windows.net:sastoken'},
        body: token,
      })
      const [reply] = (await once(cbsReceiver, 'message')) as [{message: {application_properties: Record<string, unknown>}}]
      assert.equal(reply.message.application_properties['status-code'], 202)

      const LINKS = 2000
      const opened: Promise<unknown>[] = []
      for (let i = 0; i < LINKS; i++) {
        const receiver = connection.open_receiver({source: {address: 'links'}, name: `r-${i}`, credit_window: 0})
        opened.push(once(receiver, 'receiver_open'))
      }
      await Promise.all(opened)
      assert.equal(t.emulator.broker.queues.get('links')!.main.consumers.length, LINKS)
    } finally {
      connection.close()
      await once(connection, 'connection_close').catch(() => {})
    }
    await until(() => t.emulator.broker.queues.get('links')!.main.consumers.length === 0, 10_000, 'consumers to go')
    await stillServes('links', 'after many links')
  })
})
