// Serves the AdminApi over node:http and node:https: reads the body (bounded), builds the base
// URL the client used, writes the answer. The servers never listen themselves: the front door
// hands them the connections it recognised as HTTP or TLS.
import {createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse} from 'node:http'
import {createServer as createHttpsServer, type Server as HttpsServer} from 'node:https'

import type {EmulatorLogger} from '../logger.js'
import type {AdminApi, AdminResponse} from './admin-api.js'
import {errorDocument} from './atom.js'
import {ADMIN_LIMITS, ATOM} from './constants.js'
import {TLS_HANDSHAKE_TIMEOUT_MS} from './header-deadline.js'

class BodyTooLarge extends Error {}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > ADMIN_LIMITS.maxBodyBytes) {
        reject(new BodyTooLarge())
        request.pause()
        return
      }
      chunks.push(chunk)
    })
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}

/** `host[:port]` from the Host header when it looks like one, else the emulator's own address. */
function hostOf(request: IncomingMessage, fallback: string): string {
  const host = request.headers.host
  return host && /^[A-Za-z0-9.\-[\]:]{1,300}$/.test(host) ? host : fallback
}

function send(response: ServerResponse, answer: AdminResponse): void {
  const body = Buffer.from(answer.body, 'utf8')
  const headers: Record<string, string | number> = {'content-length': body.length}
  if (answer.contentType) headers['content-type'] = answer.contentType
  if (answer.close) headers.connection = 'close'
  response.writeHead(answer.status, headers)
  response.end(body)
}

export function adminRequestListener(api: AdminApi, scheme: 'http' | 'https', fallbackHost: () => string, logger: EmulatorLogger) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    const baseUrl = `${scheme}://${hostOf(request, fallbackHost())}`
    readBody(request)
      .then(body =>
        api.handle({
          method: request.method ?? 'GET',
          url: request.url ?? '/',
          authorization: request.headers.authorization,
          ifMatch: typeof request.headers['if-match'] === 'string' ? request.headers['if-match'] : undefined,
          body,
          baseUrl,
        }),
      )
      .then(answer => send(response, answer))
      .catch((error: unknown) => {
        const tooLarge = error instanceof BodyTooLarge
        if (!tooLarge) logger.error(`admin request failed: ${(error as Error).message}`)
        const status = tooLarge ? 413 : 500
        const detail = tooLarge
          ? `The request body exceeds ${ADMIN_LIMITS.maxBodyBytes} bytes.`
          : 'The emulator failed to handle the request.'
        if (!response.headersSent)
          send(response, {status, contentType: ATOM.errorContentType, body: errorDocument(status, detail), close: true})
      })
  }
}

export interface AdminServers {
  http: HttpServer
  https: HttpsServer
  /** Drops their connections and stops their timers. */
  close(): Promise<void>
}

/** Another HTTP API served on the same port, for the requests whose URL it claims (e.g. an ARM surface). */
export interface ExtraRoute {
  matches(url: string): boolean
  handle(request: IncomingMessage, response: ServerResponse): unknown
}

/** Plain-HTTP and HTTPS servers for the admin API (not listening: see front-door.ts). */
export function createAdminServers(
  api: AdminApi,
  tls: {cert: string; key: string},
  fallbackHost: () => string,
  logger: EmulatorLogger,
  extraRoutes: ExtraRoute[] = [],
): AdminServers {
  const listener = (scheme: 'http' | 'https') => {
    const atom = adminRequestListener(api, scheme, fallbackHost, logger)
    return (request: IncomingMessage, response: ServerResponse) => {
      const route = extraRoutes.find(candidate => candidate.matches(request.url ?? '/'))
      if (route) route.handle(request, response)
      else atom(request, response)
    }
  }
  const http = createHttpServer(listener('http'))
  const https = createHttpsServer({cert: tls.cert, key: tls.key, handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS}, listener('https'))
  for (const server of [http, https]) {
    server.on('clientError', (error, socket) => {
      logger.debug(`admin: bad HTTP from a client: ${error.message}`)
      socket.destroy()
    })
  }
  https.on('tlsClientError', error => logger.debug(`admin: TLS handshake failed: ${error.message}`))
  const closeOne = (server: HttpServer | HttpsServer) =>
    new Promise<void>(resolve => {
      server.closeAllConnections()
      // They never listened (the front door did): close() only stops their timers; its "not running" error is expected.
      server.close(() => resolve())
    })
  return {http, https, close: async () => void (await Promise.all([closeOne(http), closeOne(https)]))}
}
