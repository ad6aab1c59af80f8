// One port for both planes: the front door accepts every TCP connection, reads its first bytes,
// and hands it on: the AMQP protocol header ("AMQP") to the AMQP server, a TLS ClientHello (0x16)
// to the HTTPS admin API, an HTTP request line to the plain-HTTP admin API. Anything else, or
// silence past the sniff timeout, is dropped. The bytes read are put back before the hand-over.
import {createServer, type AddressInfo, type Server, type Socket} from 'node:net'
import {Duplex} from 'node:stream'

import type {EmulatorLogger} from './logger.js'

export type Protocol = 'amqp' | 'tls' | 'http'

const AMQP_HEADER = Buffer.from('AMQP', 'latin1')
const TLS_HANDSHAKE = 0x16
const HTTP_METHOD = /^[A-Z]{1,16} /
const HTTP_METHOD_SO_FAR = /^[A-Z]{1,16}$/
/** Every client of the emulator speaks first; one that says nothing for this long is dropped. */
export const SNIFF_TIMEOUT_MS = 10_000

/** What the first bytes of a connection say: a protocol, 'unknown', or undefined (need more). */
export function sniffProtocol(head: Buffer): Protocol | 'unknown' | undefined {
  if (head.length === 0) return undefined
  if (head[0] === TLS_HANDSHAKE) return 'tls'
  const amqpSoFar = head.subarray(0, AMQP_HEADER.length)
  const couldBeAmqp = amqpSoFar.equals(AMQP_HEADER.subarray(0, amqpSoFar.length))
  if (couldBeAmqp && head.length >= AMQP_HEADER.length) return 'amqp'
  const text = head.toString('latin1', 0, 17)
  if (HTTP_METHOD.test(text)) return 'http'
  if (couldBeAmqp || HTTP_METHOD_SO_FAR.test(text)) return undefined
  return 'unknown'
}

export interface FrontDoorOptions {
  host: string
  port: number
  logger: EmulatorLogger
  /** Takes a socket speaking AMQP (the header is still unread). */
  amqp: (socket: Socket) => void
  /** Takes a stream opening with a TLS ClientHello (e.g. `httpsServer.emit('connection', stream)`). */
  tls: (stream: Duplex) => void
  /** Takes a socket carrying plain HTTP/1.1. */
  http: (socket: Socket) => void
  sniffTimeoutMs?: number
}

export interface FrontDoor {
  readonly port: number
  /** Open client connections, whatever their protocol. */
  connectionCount(): number
  /** Stops listening and drops every connection. */
  close(): Promise<void>
}

/**
 * The socket as a JS stream, `head` first. TLS needs this: node's TLS server reads a net.Socket
 * through its native handle, which would skip bytes put back with unshift().
 */
function streamWithHead(socket: Socket, head: Buffer): Duplex {
  const stream = new Duplex({
    read: () => void socket.resume(),
    write: (chunk: Buffer, _encoding, callback) => {
      if (socket.destroyed) callback()
      else socket.write(chunk, () => callback())
    },
    final: callback => {
      socket.end()
      callback()
    },
    destroy: (_error, callback) => {
      socket.destroy()
      callback(null)
    },
  })
  stream.push(head)
  socket.on('data', (chunk: Buffer) => {
    if (!stream.push(chunk)) socket.pause()
  })
  socket.on('end', () => stream.push(null))
  socket.on('close', () => stream.destroy())
  return stream
}

export async function startFrontDoor(options: FrontDoorOptions): Promise<FrontDoor> {
  const {logger} = options
  const sniffTimeoutMs = options.sniffTimeoutMs ?? SNIFF_TIMEOUT_MS
  const sockets = new Set<Socket>()

  const dispatch = (socket: Socket, protocol: Protocol, head: Buffer) => {
    socket.setTimeout(0)
    socket.pause()
    if (protocol === 'tls') {
      options.tls(streamWithHead(socket, head))
      return
    }
    socket.unshift(head)
    if (protocol === 'amqp') options.amqp(socket)
    else options.http(socket)
    socket.resume()
  }

  const server: Server = createServer(socket => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', error => logger.debug(`socket error: ${error.message}`))
    socket.setTimeout(sniffTimeoutMs, () => {
      logger.info('a client sent nothing after connecting; connection dropped')
      socket.destroy()
    })
    let head = Buffer.alloc(0)
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk])
      const protocol = sniffProtocol(head)
      if (protocol === undefined) return
      socket.off('data', onData)
      if (protocol === 'unknown') {
        logger.info('a client sent bytes that are neither AMQP, TLS nor HTTP; connection dropped')
        socket.destroy()
        return
      }
      try {
        dispatch(socket, protocol, head)
      } catch (error) {
        logger.error(`could not hand over a ${protocol} connection: ${(error as Error).message}`)
        socket.destroy()
      }
    }
    socket.on('data', onData)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
    server.listen({host: options.host, port: options.port})
  })
  server.on('error', error => logger.error(`listener error: ${error.message}`))
  const {port} = server.address() as AddressInfo

  return {
    port,
    connectionCount: () => sockets.size,
    close: () =>
      new Promise<void>(resolve => {
        server.close(() => resolve())
        for (const socket of sockets) socket.destroy()
      }),
  }
}
