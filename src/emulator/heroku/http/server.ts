// The HTTP front of the local Platform API. Order for each request: read the body → match the
// route → (logplex stream: no further checks) → injected fault → credentials → Accept version →
// rate limit → the app in the path → handler → Range paging → JSON with RateLimit-Remaining.
// Every exchange can be reported to an observer (tests validate them against the schema).
import {randomUUID, timingSafeEqual} from 'node:crypto'
import http, {type IncomingMessage, type ServerResponse} from 'node:http'

import {ApiError, apiErrors} from '../api-error.js'
import {MAX_REQUEST_BODY_BYTES} from '../constants.js'
import type {ApiResult, HandlerContext} from '../handlers/context.js'
import type {FaultInjector} from './faults.js'
import {pageOf, parseRange} from './paging.js'
import type {RateLimiter} from './rate-limit.js'
import {matchRoute} from './routes.js'

export interface ApiExchange {
  method: string
  path: string
  requestHeaders: IncomingMessage['headers']
  requestBody: unknown
  status: number
  responseHeaders: Record<string, string>
  responseBody: unknown
}

export interface ApiServerOptions {
  context: () => HandlerContext
  token: string
  faults: FaultInjector
  rateLimit: RateLimiter
  pageSize: number
  onExchange?: (exchange: ApiExchange) => void
}

export function createApiServer(options: ApiServerOptions): http.Server {
  const server = http.createServer((req, res) => {
    void handle(options, req, res).catch(() => {
      if (res.writableEnded) return
      if (!res.headersSent) res.writeHead(500, {'Content-Type': 'application/json'})
      res.end(JSON.stringify({id: 'internal_server_error', message: 'Internal server error.'}))
    })
  })
  server.keepAliveTimeout = 5000
  return server
}

async function handle(options: ApiServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase()
  const path = new URL(req.url ?? '/', 'http://localhost').pathname
  let requestBody: unknown
  const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    const responseHeaders: Record<string, string> = {
      'Content-Type': 'application/json; charset=utf-8',
      'Request-Id': randomUUID(),
      'RateLimit-Remaining': String(options.rateLimit.remaining()),
      ...headers,
    }
    res.writeHead(status, responseHeaders)
    res.end(JSON.stringify(body))
    try {
      options.onExchange?.({method, path, requestHeaders: req.headers, requestBody, status, responseHeaders, responseBody: body})
    } catch {
      // An observer's failure is its own; the client already has its answer.
    }
  }
  try {
    requestBody = await readJsonBody(req)
    const matched = matchRoute(method, path)
    if (matched?.route.raw) {
      const result = await matched.route.handler(options.context(), {method, path, params: matched.params, body: requestBody})
      if ('stream' in result) result.stream(req, res)
      return
    }
    const fault = options.faults.take(method, path)
    if (fault) throw fault
    checkCredentials(req.headers.authorization, options.token)
    if (!/version=3/.test(req.headers.accept ?? '')) throw apiErrors.noRoute()
    if (!options.rateLimit.take()) throw apiErrors.rateLimit()
    if (!matched) throw apiErrors.noRoute()
    const context = options.context()
    const app = matched.params.app
    if (app !== undefined && app !== context.store.app.name && app !== context.store.app.id) throw apiErrors.notFound('app')
    const result = await matched.route.handler(context, {method, path, params: matched.params, body: requestBody})
    respond(options, req, result, send)
  } catch (error) {
    if (error instanceof ApiError) send(error.status, error.body(), error.headers)
    else if ((error as {invalidBody?: boolean}).invalidBody) send(400, {id: 'bad_request', message: (error as Error).message})
    else throw error
  }
}

function respond(
  options: ApiServerOptions,
  req: IncomingMessage,
  result: ApiResult,
  send: (status: number, body: unknown, headers?: Record<string, string>) => void,
): void {
  if ('list' in result) {
    const range = parseRange(headerValue(req.headers.range), result.rangeFields, options.pageSize)
    const {page, nextRange} = pageOf(result.list, range)
    if (nextRange) send(206, page, {'Next-Range': nextRange})
    else send(200, page)
    return
  }
  if ('body' in result) send(result.status ?? 200, result.body)
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

/** Bearer TOKEN, or Basic with the token as password (what heroku-client and curl -n send). */
function checkCredentials(header: string | undefined, token: string): void {
  if (!header) throw apiErrors.noCredentials()
  const [scheme, value = ''] = header.split(/\s+/, 2)
  let presented: string | undefined
  if (/^bearer$/i.test(scheme)) presented = value
  else if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8')
    presented = decoded.slice(decoded.indexOf(':') + 1)
  }
  if (presented === undefined || !sameSecret(presented, token)) throw apiErrors.unauthorized()
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

function readJsonBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_REQUEST_BODY_BYTES) {
        reject(new ApiError(413, 'request_entity_too_large', 'The request body is too large.'))
        req.destroy()
        return
      }
      chunks.push(chunk)
    })
    req.on('error', reject)
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      if (text.trim() === '') return resolve(undefined)
      try {
        resolve(JSON.parse(text))
      } catch {
        reject(apiErrors.badRequest('The request body is not valid JSON.'))
      }
    })
  })
}
