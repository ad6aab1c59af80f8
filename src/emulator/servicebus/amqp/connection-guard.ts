// Guards of one AMQP connection against broken and hostile peers, applied before rhea sees a byte:
// every frame header is checked as it arrives (a frame over the size allowed at that stage, or
// bytes that are no frame at all, close the connection before anything is buffered), a peer
// that has not opened within the open timeout is dropped, and a connection past the cap is
// refused at open with Azure's error. The idle timeout is announced in our open; rhea enforces it.
import type {Duplex} from 'node:stream'

import type {Connection} from 'rhea'

import type {EmulatorLogger} from '../logger.js'

export interface AmqpLimits {
  /** Time from the hand-over to the peer's open frame (SASL included). */
  openTimeoutMs: number
  /** Largest frame before the peer's open (protocol headers, SASL, open are small). */
  preOpenMaxFrameBytes: number
  /** Largest frame after open but before a token was put ($cbs put-token itself fits). */
  unauthenticatedMaxFrameBytes: number
  /** Largest frame once authenticated: announced as max-frame-size in our open. */
  maxFrameBytes: number
  /** Announced as idle-time-out; rhea closes a connection silent for twice as long. */
  idleTimeoutMs: number
  /** Open AMQP connections at most (Azure: 5,000 per namespace). */
  maxConnections: number
}

export const DEFAULT_AMQP_LIMITS: AmqpLimits = {
  openTimeoutMs: 10_000,
  preOpenMaxFrameBytes: 64 * 1024,
  unauthenticatedMaxFrameBytes: 1024 * 1024 + 64 * 1024,
  // The largest message a queue may allow (100 MB, premium tier) and the transfer's own fields.
  maxFrameBytes: 100 * 1024 * 1024 + 64 * 1024,
  idleTimeoutMs: 120_000,
  maxConnections: 5000,
}

const AMQP_HEADER = Buffer.from('AMQP', 'latin1')
const FRAME_HEADER_BYTES = 8
/** AMQP (0), TLS (2) and SASL (3) protocol headers, version 1.0.0. */
const PROTOCOL_IDS = new Set([0, 2, 3])

/**
 * Follows the frame boundaries of the byte stream a peer sends, without keeping the frames:
 * only the 8 bytes of a header in progress are held. Returns a description of the first
 * violation, or undefined while the stream is well formed.
 */
export class FrameGuard {
  private readonly head = Buffer.alloc(FRAME_HEADER_BYTES)
  private headBytes = 0
  /** Bytes of the current frame's body still to come. */
  private remaining = 0

  constructor(private readonly maxFrameBytes: () => number) {}

  check(chunk: Buffer): string | undefined {
    let offset = 0
    while (offset < chunk.length) {
      if (this.remaining > 0) {
        const skip = Math.min(this.remaining, chunk.length - offset)
        this.remaining -= skip
        offset += skip
        continue
      }
      const take = Math.min(FRAME_HEADER_BYTES - this.headBytes, chunk.length - offset)
      chunk.copy(this.head, this.headBytes, offset, offset + take)
      this.headBytes += take
      offset += take
      const early = this.earlyProblem()
      if (early) return early
      if (this.headBytes < FRAME_HEADER_BYTES) continue
      const problem = this.headerProblem()
      if (problem) return problem
      this.headBytes = 0
    }
    return undefined
  }

  /** As soon as 4 bytes are in: a size that is no frame needs no more bytes to be refused. */
  private earlyProblem(): string | undefined {
    if (this.headBytes < 4 || this.isProtocolHeader()) return undefined
    const size = this.head.readUInt32BE(0)
    const max = this.maxFrameBytes()
    if (size < FRAME_HEADER_BYTES) return `a frame of ${size} bytes is shorter than a frame header`
    if (size > max) return `a frame of ${size} bytes exceeds the max-frame-size of ${max} bytes`
    return undefined
  }

  private headerProblem(): string | undefined {
    if (this.isProtocolHeader()) {
      const [id, major, minor, revision] = this.head.subarray(4)
      return PROTOCOL_IDS.has(id) && major === 1 && minor === 0 && revision === 0 ? undefined : 'an invalid AMQP protocol header'
    }
    const size = this.head.readUInt32BE(0)
    const dataOffset = this.head[4] * 4
    const type = this.head[5]
    if (dataOffset < FRAME_HEADER_BYTES || dataOffset > size || (type !== 0 && type !== 1)) return 'bytes that are not an AMQP frame'
    this.remaining = size - FRAME_HEADER_BYTES
    return undefined
  }

  private isProtocolHeader(): boolean {
    return this.head.compare(AMQP_HEADER, 0, 4, 0, 4) === 0
  }
}

interface RheaConnectionInternals {
  input(buffer: Buffer): void
  on_open(frame: unknown): void
  socket_ready: boolean
  heartbeat_in?: NodeJS.Timeout
  heartbeat_out?: NodeJS.Timeout
  abort_idle?: NodeJS.Timeout
}

/**
 * Once a connection's socket is gone, rhea must write nothing and arm no timer: it re-arms its
 * heartbeat on every output (a settlement finishing after the socket closed, say), which kept a
 * stopped emulator alive. rhea only stops them on 'end' or 'error', not on a socket we destroyed.
 */
export function silenceConnection(connection: Connection): void {
  const internals = connection as unknown as RheaConnectionInternals
  internals.socket_ready = false
  for (const timer of ['heartbeat_in', 'heartbeat_out', 'abort_idle'] as const) {
    clearTimeout(internals[timer])
    internals[timer] = undefined
  }
}

export interface GuardOptions {
  limits: AmqpLimits
  /** True once the connection has put a token through $cbs. */
  authenticated: () => boolean
  /** Past the connection cap: refused at open. */
  overCap: boolean
  logger: EmulatorLogger
}

/** Call after create_connection and before accept(socket): rhea binds its input handler at accept. */
export function guardConnection(connection: Connection, socket: Duplex, options: GuardOptions): void {
  const {limits, logger} = options
  const internals = connection as unknown as RheaConnectionInternals
  const guard = new FrameGuard(() => {
    if (!connection.is_remote_open()) return limits.preOpenMaxFrameBytes
    return options.authenticated() ? limits.maxFrameBytes : limits.unauthenticatedMaxFrameBytes
  })
  let refused = false
  const drop = (condition: string, description: string) => {
    refused = true
    logger.info(`AMQP connection closed: ${description}`)
    if (connection.is_remote_open() && !connection.is_closed()) {
      connection.close({condition, description})
      setImmediate(() => socket.end())
      setTimeout(() => socket.destroy(), 1000).unref()
    } else socket.destroy()
  }

  const input = internals.input
  internals.input = function guardedInput(this: unknown, buffer: Buffer) {
    if (refused) return
    const problem = guard.check(buffer)
    if (problem) drop('amqp:connection:framing-error', `The peer sent ${problem}.`)
    else input.call(connection, buffer)
  }

  const openTimer = setTimeout(() => {
    if (!connection.is_remote_open() && !refused)
      drop('amqp:connection:framing-error', `the peer did not open the connection within ${limits.openTimeoutMs} ms`)
  }, limits.openTimeoutMs)
  openTimer.unref()
  socket.once('close', () => {
    clearTimeout(openTimer)
    silenceConnection(connection)
  })

  if (options.overCap) {
    const onOpen = internals.on_open
    internals.on_open = function refuseAtOpen(this: unknown, frame: unknown) {
      onOpen.call(connection, frame)
      drop(
        'amqp:resource-limit-exceeded',
        `The maximum number of connections (${limits.maxConnections}) to the namespace has been reached.`,
      )
    }
  }
}
