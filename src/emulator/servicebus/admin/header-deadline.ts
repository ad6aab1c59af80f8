// A deadline for each HTTP request's headers on the admin servers. They never listen() (the
// front door hands them sockets), so Node's headersTimeout, checked by a timer listen() starts,
// never runs: a client dripping header bytes would hold its socket forever. Each handed-over
// socket gets a hard deadline for its next request's headers: armed at connect and after each
// response, cleared when a request's headers are complete. Data arriving does not extend it.
import type {Server as HttpServer, IncomingMessage, ServerResponse} from 'node:http'
import type {Server as HttpsServer} from 'node:https'
import type {Duplex} from 'node:stream'

import type {EmulatorLogger} from '../logger.js'

export const HEADERS_TIMEOUT_MS = 20_000
/** A TLS handshake must be done within this (https servers only). */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000

export function enforceHeaderDeadline(server: HttpServer | HttpsServer, logger: EmulatorLogger, timeoutMs = HEADERS_TIMEOUT_MS): void {
  const deadlines = new WeakMap<Duplex, NodeJS.Timeout>()
  const arm = (socket: Duplex) => {
    clearTimeout(deadlines.get(socket))
    const timer = setTimeout(() => {
      logger.info(`admin: a client sent no complete request headers within ${timeoutMs} ms; connection dropped`)
      socket.destroy()
    }, timeoutMs)
    timer.unref()
    deadlines.set(socket, timer)
  }
  const secure = 'setSecureContext' in server
  // For HTTPS the request's socket is the TLS socket, which exists once the handshake is done.
  // One close listener a socket (not one a request: keep-alive sockets serve many).
  server.on(secure ? 'secureConnection' : 'connection', (socket: Duplex) => {
    socket.once('close', () => clearTimeout(deadlines.get(socket)))
    arm(socket)
  })
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket
    clearTimeout(deadlines.get(socket))
    response.once('finish', () => {
      if (!socket.destroyed) arm(socket)
    })
  })
}
