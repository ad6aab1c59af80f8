// A small HTTP endpoint on 127.0.0.1 through which `qjob emulator status` asks the running
// emulator (a background process) for its live status. Guarded by a random token kept in the
// 0600 state file.
import {randomBytes, timingSafeEqual} from 'node:crypto'
import {createServer, request, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'

export interface ControlServer {
  port: number
  token: string
  close(): Promise<void>
}

export async function startControlServer(status: () => unknown): Promise<ControlServer> {
  const token = randomBytes(24).toString('hex')
  const expected = Buffer.from(`Bearer ${token}`)
  const server: Server = createServer((req, res) => {
    const given = Buffer.from(req.headers.authorization ?? '')
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.writeHead(401).end()
      return
    }
    if (req.method !== 'GET' || req.url !== '/status') {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, {'content-type': 'application/json'}).end(JSON.stringify(status()))
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

export function fetchStatus(control: {port: number; token: string}, timeoutMs = 5000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request({host: '127.0.0.1', port: control.port, path: '/status', headers: {authorization: `Bearer ${control.token}`}, timeout: timeoutMs}, res => {
      let body = ''
      res.setEncoding('utf8').on('data', chunk => (body += chunk))
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`the emulator's control endpoint answered ${res.statusCode}`))
        else resolve(JSON.parse(body))
      })
    })
    req.on('timeout', () => req.destroy(new Error('the emulator did not answer in time')))
    req.on('error', reject)
    req.end()
  })
}
