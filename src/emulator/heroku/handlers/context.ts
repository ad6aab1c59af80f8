// What every handler gets: the app's state, the process supervisor, the logs, and the request.
import type {IncomingMessage, ServerResponse} from 'node:http'

import type {LogHub} from '../log-hub.js'
import type {LogSessions} from './log-sessions.js'
import type {AppStore} from '../store.js'
import type {Supervisor} from '../supervisor.js'

export interface HandlerContext {
  store: AppStore
  supervisor: Supervisor
  logs: LogHub
  logSessions: LogSessions
  baseUrl: string
}

export interface ApiRequest {
  method: string
  path: string
  params: Record<string, string>
  body: unknown
}

/** A JSON answer, or a list the router pages with Range (sorted by one of rangeFields). */
export type ApiResult =
  | {status?: number; body: unknown}
  | {list: Array<Record<string, unknown>>; rangeFields: readonly string[]}
  | {stream: (req: IncomingMessage, res: ServerResponse) => void}

export type Handler = (ctx: HandlerContext, request: ApiRequest) => ApiResult | Promise<ApiResult>

/** The request body as an object (an absent body is an empty object). */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {}
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw Object.assign(new Error('The request body must be a JSON object.'), {invalidBody: true})
  }
  return body as Record<string, unknown>
}
