// Issue 17 items 6 and 7: raw peers that announce or send oversized frames, send garbage after
// the AMQP header, never open, go silent, open too many connections, or drip HTTP headers. Each
// is closed by the emulator (the test fails, rather than hangs, if it is not).
import assert from 'node:assert/strict'
import {once} from 'node:events'
import {connect, type Socket} from 'node:net'
import {after, before, describe, test} from 'node:test'

import rhea, {type Connection} from 'rhea'
import {createRequire} from 'node:module'

import {startTestEmulator, type TestEmulator} from './helpers.js'

/** rhea's frame codec (untyped), to write a real open frame from a silent peer. */
const frames = createRequire(import.meta.url)('rhea/lib/frames.js') as {
  open: new (fields: Record<string, unknown>) => {described(): unknown}
  amqp_frame(channel: number, performative: unknown): unknown
  write_frame(frame: unknown): Buffer
}

const SASL_HEADER = Buffer.from([0x41, 0x4d, 0x51, 0x50, 3, 1, 0, 0])
const AMQP_HEADER = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 1, 0, 0])
const FAIL_AFTER_MS = 8000

/** Default limits (open timeout 10 s, idle 120 s): only the frame checks can close a peer in time. */
let t: TestEmulator
/** Short timeouts and a cap of 3 connections. */
let short: TestEmulator
let current: () => TestEmulator = () => t
before(async () => {
  t = await startTestEmulator({queues: [{name: 'q'}]})
  short = await startTestEmulator({
    queues: [{name: 'q'}],
    limits: {openTimeoutMs: 1500, idleTimeoutMs: 400, maxConnections: 3, headersTimeoutMs: 500},
  })
})
after(async () => {
  await t.stop()
  await short.stop()
})

async function rawSocket(): Promise<Socket> {
  const socket = connect(current().emulator.port, '127.0.0.1')
  socket.on('error', () => {})
  // Flowing, so the end of the stream is seen even when the emulator answered with bytes first.
  socket.resume()
  await once(socket, 'connect')
  return socket
}

/** Resolves when the emulator closes the socket; rejects (the test fails) if it stays open. */
function closedByEmulator(socket: Socket, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.destroyed) return resolve()
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`the emulator kept the connection open: ${what}`))
    }, FAIL_AFTER_MS)
    socket.once('close', () => {
      clearTimeout(timer)
      resolve()
    })
  })
}

function frameHeader(size: number): Buffer {
  const header = Buffer.from([0, 0, 0, 0, 2, 0, 0, 0])
  header.writeUInt32BE(size, 0)
  return header
}

function openFrame(): Buffer {
  return frames.write_frame(frames.amqp_frame(0, new frames.open({container_id: 'silent-peer'}).described()))
}

async function rheaConnection(): Promise<{connection: Connection; error: Promise<{condition?: string; description?: string}>}> {
  const connection = rhea.create_container().connect({host: '127.0.0.1', port: current().emulator.port, reconnect: false})
  connection.on('disconnected', () => {})
  const error = new Promise<{condition?: string; description?: string}>(resolve =>
    connection.on('connection_error', context => resolve(context.connection.error as never)),
  )
  await once(connection, 'connection_open')
  return {connection, error}
}

describe('hostile and broken AMQP peers', () => {
  test('an unauthenticated peer announcing a 600 MB frame is closed before the bytes are buffered', async () => {
    const socket = await rawSocket()
    socket.write(Buffer.concat([SASL_HEADER, frameHeader(600 * 1024 * 1024), Buffer.alloc(32 * 1024, 7)]))
    await closedByEmulator(socket, 'oversized frame')
  })

  test('garbage after the AMQP header closes the connection at once', async () => {
    const garbage = [
      Buffer.from('hello, is this HTTP?\r\n\r\n'),
      Buffer.from([0, 0, 0, 3, 1, 2, 3, 4]),
      Buffer.from([0, 0, 0, 40, 0, 9, 0, 0, 1, 2, 3]),
    ]
    await Promise.all(
      garbage.flatMap(bytes =>
        [SASL_HEADER, AMQP_HEADER].map(async header => {
          const socket = await rawSocket()
          socket.write(Buffer.concat([header, bytes]))
          await closedByEmulator(socket, `garbage ${bytes.toString('hex')}`)
        }),
      ),
    )
  })

  test('an open connection sending a frame over its max-frame-size is closed with amqp:connection:framing-error', async () => {
    const {connection, error} = await rheaConnection()
    const socket = (connection as unknown as {socket: Socket}).socket
    // No token was put: more than the 1 MB a put-token needs is refused.
    socket.write(Buffer.concat([frameHeader(4 * 1024 * 1024), Buffer.alloc(1024)]))
    const closed = await error
    assert.equal(closed.condition, 'amqp:connection:framing-error', closed.description)
  })

  test('a peer that never opens is dropped after the open timeout', async () => {
    current = () => short
    const socket = await rawSocket()
    socket.write(SASL_HEADER)
    await closedByEmulator(socket, 'no open')
  })

  test('a silent peer is closed by the idle timeout the emulator announced', async () => {
    const socket = await rawSocket()
    const received: Buffer[] = []
    socket.on('data', (chunk: Buffer) => received.push(chunk))
    socket.write(Buffer.concat([AMQP_HEADER, openFrame()]))
    await closedByEmulator(socket, 'idle')
    const bytes = Buffer.concat(received)
    // Our open, then a close with the idle condition.
    assert.ok(bytes.includes(Buffer.from('max idle time exceeded')), bytes.toString('latin1'))
  })

  test('connections past the cap are refused at open with amqp:resource-limit-exceeded', async () => {
    const open: Connection[] = []
    try {
      // Fill up to the cap of 3.
      while (short.emulator.connectionCount() < 3) open.push((await rheaConnection()).connection)
      const {error} = await rheaConnection().catch(() => ({
        error: Promise.resolve({condition: 'refused before open', description: undefined}),
      }))
      const refused = await error
      assert.equal(refused.condition, 'amqp:resource-limit-exceeded', refused.description)
    } finally {
      for (const connection of open) connection.close()
    }
  })

  test('an HTTP client dripping its headers is dropped at the header deadline', async () => {
    const socket = await rawSocket()
    socket.write('GET /$Resources/Queues HTTP/1.1\r\nHost: localhost\r\n')
    // One header byte every 100 ms: activity must not extend the deadline.
    const drip = setInterval(() => socket.write('X'), 100)
    try {
      await closedByEmulator(socket, 'dripping headers')
    } finally {
      clearInterval(drip)
    }
  })
})
