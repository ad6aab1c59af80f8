// Log sessions: POST returns a logplex_url (served by this emulator); a GET of that URL streams the
// recent lines and, with tail, every new line until the client hangs up, as server-sent events. The session id in the URL
// is the capability, as with logplex: the stream itself takes no Authorization header.
import type {IncomingMessage, ServerResponse} from 'node:http'

import {apiErrors} from '../api-error.js'
import {DEFAULT_LOG_LINES, LOG_BUFFER_LINES} from '../constants.js'
import {apiTime, newId} from '../ids.js'
import {formatLogLine, matchesFilter, type LogFilter, type LogLine} from '../log-hub.js'
import {bodyObject, type ApiRequest, type ApiResult, type HandlerContext} from './context.js'

const SESSION_TTL_MS = 5 * 60_000

interface LogSession {
  id: string
  filter: LogFilter
  lines: number
  tail: boolean
  createdAt: Date
}

export class LogSessions {
  private readonly sessions = new Map<string, LogSession>()
  private readonly open = new Set<ServerResponse>()

  add(session: LogSession): void {
    const now = Date.now()
    for (const [id, old] of this.sessions) if (now - old.createdAt.getTime() > SESSION_TTL_MS) this.sessions.delete(id)
    this.sessions.set(session.id, session)
  }

  /** A session is used once. */
  take(id: string): LogSession | undefined {
    const session = this.sessions.get(id)
    this.sessions.delete(id)
    return session
  }

  track(res: ServerResponse): void {
    this.open.add(res)
    res.on('close', () => this.open.delete(res))
  }

  closeAll(): void {
    for (const res of this.open) res.destroy()
  }
}

function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key]
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value !== 'string') throw apiErrors.invalidParams(`${key} must be a string.`)
  return value
}

export function createLogSession(ctx: HandlerContext, request: ApiRequest): ApiResult {
  const body = bodyObject(request.body)
  const lines = body.lines ?? DEFAULT_LOG_LINES
  if (typeof lines !== 'number' || !Number.isInteger(lines) || lines < 0 || lines > LOG_BUFFER_LINES) {
    throw apiErrors.invalidParams(`lines must be an integer from 0 to ${LOG_BUFFER_LINES}.`)
  }
  if (body.tail !== undefined && typeof body.tail !== 'boolean') throw apiErrors.invalidParams('tail must be a boolean.')
  const filter: LogFilter = {
    dyno: optionalString(body, 'dyno'),
    dynoName: optionalString(body, 'dyno_name'),
    type: optionalString(body, 'type'),
    source: optionalString(body, 'source'),
  }
  const session: LogSession = {id: newId(), filter, lines, tail: body.tail === true, createdAt: new Date()}
  ctx.logSessions.add(session)
  const now = apiTime(session.createdAt)
  return {
    status: 201,
    body: {
      created_at: now,
      id: session.id,
      logplex_url: `${ctx.baseUrl}/log-sessions/${session.id}/stream?srv=${Math.floor(Date.now() / 1000)}`,
      updated_at: now,
    },
  }
}

export function streamLogSession(ctx: HandlerContext, request: ApiRequest): ApiResult {
  const session = ctx.logSessions.take(request.params.session)
  if (!session) throw apiErrors.notFound('log session')
  return {
    stream: (_req: IncomingMessage, res: ServerResponse) => {
      // Server-sent events, one log line per event: the Heroku CLI reads the stream with an
      // EventSource and refuses any other content type.
      res.writeHead(200, {'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache'})
      let eventId = 0
      const send = (line: LogLine) => res.write(`id: ${++eventId}\ndata: ${formatLogLine(line).replace(/\r?\n/g, ' ')}\n\n`)
      for (const line of ctx.logs.recent(session.filter, session.lines)) send(line)
      if (!session.tail) {
        res.end()
        return
      }
      ctx.logSessions.track(res)
      const unsubscribe = ctx.logs.subscribe(line => {
        if (matchesFilter(line, session.filter)) send(line)
      })
      res.on('close', unsubscribe)
    },
  }
}
