// Log sessions: ask the API for a logplex_url, then read the stream (recent lines, and with tail
// every new line). Lines read `TIMESTAMP SOURCE[DYNO]: MESSAGE`.
import http, {type IncomingMessage} from 'node:http'
import https from 'node:https'

import {OperationError} from '../../common/errors.js'
import type {HerokuApi} from './api.js'
import {appPath} from './session.js'
import type {LogSession} from './types.js'

export interface LogOptions {
  dynoName?: string
  type?: string
  source?: string
  lines: number
  tail?: boolean
}

export async function openLogStream(api: HerokuApi, app: string, options: LogOptions): Promise<IncomingMessage> {
  const body: Record<string, unknown> = {lines: options.lines, tail: options.tail === true}
  if (options.dynoName) body.dyno_name = options.dynoName
  if (options.type) body.type = options.type
  if (options.source) body.source = options.source
  const session = await api.post<LogSession>(appPath(app, '/log-sessions'), {body})
  return getStream(session.logplex_url)
}

function getStream(url: string): Promise<IncomingMessage> {
  const client = url.startsWith('https:') ? https : http
  return new Promise((resolve, reject) => {
    const request = client.get(url, response => {
      if ((response.statusCode ?? 500) >= 300) {
        response.resume()
        reject(new OperationError(`the log stream answered HTTP ${response.statusCode}`))
        return
      }
      resolve(response)
    })
    request.on('error', error =>
      reject(new OperationError(`cannot open the log stream: ${(error as NodeJS.ErrnoException).code ?? error.message}`)),
    )
  })
}

/**
 * The stream's log lines, as they arrive. The stream is server-sent events (`data: LINE` fields;
 * ids, comments and blank separators are skipped) or, from older servers, plain lines.
 */
export async function* readLines(stream: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  let partial = ''
  for await (const chunk of stream) {
    const parts = (partial + chunk.toString()).split('\n')
    partial = parts.pop() ?? ''
    for (const part of parts) {
      const line = logLineOf(part.replace(/\r$/, ''))
      if (line !== undefined) yield line
    }
  }
  const last = partial === '' ? undefined : logLineOf(partial)
  if (last !== undefined) yield last
}

function logLineOf(raw: string): string | undefined {
  if (raw.startsWith('data:')) return raw.slice(raw[5] === ' ' ? 6 : 5)
  if (raw === '' || raw.startsWith(':') || /^(id|event|retry):/.test(raw)) return undefined
  return raw
}

export interface LogLine {
  timestamp: string
  source: string
  dyno: string
  message: string
}

export function parseLogLine(line: string): LogLine | undefined {
  const match = /^(\S+) ([\w-]+)\[([^\]]+)\]: ?(.*)$/.exec(line)
  return match ? {timestamp: match[1], source: match[2], dyno: match[3], message: match[4]} : undefined
}
