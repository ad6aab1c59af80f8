// AMQP over WebSockets (AMQP WebSocket Binding, subprotocol AMQPWSB10): what every Service Bus SDK
// uses on networks that allow only HTTPS. The client sends an HTTP upgrade to
// `/$servicebus/websocket` (the JS SDK: `wss://host:port/$servicebus/websocket`, always TLS; other
// stacks may use plain ws://). The front door already sends TLS and HTTP to the admin servers; this
// listens for their 'upgrade' events, completes the handshake with `ws`, and hands the AMQP server
// a byte stream in which each WebSocket binary message is a run of AMQP frame bytes.
import type {IncomingMessage, Server as HttpServer} from 'node:http'
import type {Duplex} from 'node:stream'

import {createWebSocketStream, WebSocketServer} from 'ws'

import type {EmulatorLogger} from '../logger.js'

export const WEBSOCKET_PATH = '/$servicebus/websocket'
export const AMQP_WEBSOCKET_SUBPROTOCOL = 'AMQPWSB10'

export interface WebSocketTransportOptions {
  /** Takes the AMQP byte stream of one WebSocket connection (as the AMQP server takes a socket). */
  accept: (stream: Duplex) => void
  logger: EmulatorLogger
}

export interface WebSocketTransport {
  /** WebSocket connections accepted since start (tests and the bench check the path was used). */
  acceptedCount(): number
  close(): void
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  if (!socket.destroyed) socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
}

/** Serves AMQP WebSocket upgrades on the given HTTP(S) servers (which never listen themselves). */
export function attachWebSocketTransport(servers: HttpServer[], options: WebSocketTransportOptions): WebSocketTransport {
  const {logger} = options
  let accepted = 0
  // The binding fixes the subprotocol; a client that does not offer it is refused in the handshake.
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: protocols => (protocols.has(AMQP_WEBSOCKET_SUBPROTOCOL) ? AMQP_WEBSOCKET_SUBPROTOCOL : false),
  })
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (request.url ?? '').split('?')[0]
    if (path !== WEBSOCKET_PATH) {
      logger.info(`websocket upgrade to '${path}' refused: AMQP over WebSockets is served on ${WEBSOCKET_PATH}`)
      refuseUpgrade(socket, 404, 'Not Found')
      return
    }
    wss.handleUpgrade(request, socket, head, ws => {
      if (ws.protocol !== AMQP_WEBSOCKET_SUBPROTOCOL) {
        ws.close(1002, `subprotocol ${AMQP_WEBSOCKET_SUBPROTOCOL} required`)
        return
      }
      accepted += 1
      const stream = createWebSocketStream(ws)
      stream.on('error', error => logger.debug(`websocket error: ${error.message}`))
      options.accept(stream)
    })
  }
  for (const server of servers) server.on('upgrade', onUpgrade)
  return {
    acceptedCount: () => accepted,
    close() {
      for (const server of servers) server.off('upgrade', onUpgrade)
      for (const client of wss.clients) client.terminate()
      wss.close()
    },
  }
}
