// A small HTTP endpoint on 127.0.0.1 through which `qjob emulator status` asks the running
// emulator (a background process) for its live status, and `qjob emulator reset` empties its
// queues. Guarded by a random token kept in the 0600 state file.
//   GET  /status                 -> 200 JSON status
//   POST /reset[?queue=NAME]     -> 200 JSON result; 404 {error} for an unknown queue
import {randomBytes, timingSafeEqual} from 'node:crypto'
import {createServer, request, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

export interface ControlServer {
  port: number
  token: string
  close(): Promise<void>
}

/** An error a control handler throws to answer with this HTTP status (e.g. 404 for an unknown queue). */
export class ControlError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message)
  }
}

export interface ControlHandlers {
  status(): unknown
  reset(queue: string | undefined): Promise<unknown>
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {'content-type': 'application/json'}).end(JSON.stringify(body))
}

export async function startControlServer(handlers: ControlHandlers): Promise<ControlServer> {
  const token = randomBytes(24).toString('hex')
  const expected = Buffer.from(`Bearer ${token}`)
  const server: Server = createServer((req, res) => {
    const given = Buffer.from(req.headers.authorization ?? '')
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.writeHead(401).end()
      return
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (req.method === 'GET' && url.pathname === '/status') {
      answer(res, 200, handlers.status())
      return
    }
    if (req.method === 'POST' && url.pathname === '/reset') {
      handlers.reset(url.searchParams.get('queue') ?? undefined).then(
        result => answer(res, 200, result),
        (error: Error) => answer(res, error instanceof ControlError ? error.status : 500, {error: error.message}),
      )
      return
    }
    res.writeHead(404).end()
  })
  server.listen(0, '127.0.0.1')
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
  })
  return {
    port: (server.address() as AddressInfo).port,
    token,
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  }
}

function call(control: {port: number; token: string}, method: 'GET' | 'POST', path: string, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const headers = {authorization: `Bearer ${control.token}`}
    const req = request({host: '127.0.0.1', port: control.port, method, path, headers, timeout: timeoutMs}, res => {
      let body = ''
      res.setEncoding('utf8').on('data', chunk => (body += chunk))
      res.on('end', () => {
        if (res.statusCode === 200) {
          resolve(JSON.parse(body))
          return
        }
        let message = `the emulator's control endpoint answered ${res.statusCode}`
        try {
          message = (JSON.parse(body) as {error?: string}).error ?? message
        } catch {
          // not JSON: keep the status line
        }
        reject(new ControlError(message, res.statusCode ?? 0))
      })
    })
    req.on('timeout', () => req.destroy(new Error('the emulator did not answer in time')))
    req.on('error', reject)
    req.end()
  })
}

export function fetchStatus(control: {port: number; token: string}, timeoutMs = 5000): Promise<unknown> {
  return call(control, 'GET', '/status', timeoutMs)
}

/** Asks the running emulator to empty its queues (or one); rejects with a ControlError (404) for an unknown queue. */
export function requestReset(control: {port: number; token: string}, queue?: string, timeoutMs = 30_000): Promise<unknown> {
  return call(control, 'POST', queue === undefined ? '/reset' : `/reset?queue=${encodeURIComponent(queue)}`, timeoutMs)
}
