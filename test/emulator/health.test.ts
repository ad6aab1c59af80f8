// GET /health, as Microsoft's emulator serves it for container health checks and CI wait loops:
// no credentials, on the plain-HTTP and the HTTPS side of the one port.
import assert from 'node:assert/strict'
import {request as httpsRequest} from 'node:https'
import {after, before, test} from 'node:test'

import {startTestEmulator, type TestEmulator} from './helpers.js'

let t: TestEmulator
before(async () => {
  t = await startTestEmulator({queues: [{name: 'h1'}]})
})
after(() => t.stop())

test('GET /health answers 200 Healthy over HTTP, without credentials', async () => {
  const response = await fetch(`http://127.0.0.1:${t.emulator.port}/health`)
  assert.equal(response.status, 200)
  const body = (await response.json()) as {status: string; queues: number}
  assert.equal(body.status, 'Healthy')
  assert.equal(body.queues, 1)
})

test('GET /health answers over HTTPS too; other methods get 405', async () => {
  const status = await new Promise<number>((resolve, reject) => {
    const req = httpsRequest({host: '127.0.0.1', port: t.emulator.port, path: '/health', ca: t.emulator.certificate.cert}, response => {
      response.resume()
      resolve(response.statusCode ?? 0)
    })
    req.on('error', reject)
    req.end()
  })
  assert.equal(status, 200)
  const post = await fetch(`http://127.0.0.1:${t.emulator.port}/health`, {method: 'POST'})
  assert.equal(post.status, 405)
})

test('many requests on one keep-alive connection add no listener per request (no MaxListeners warning)', async () => {
  const warnings: string[] = []
  const onWarning = (warning: Error) => warnings.push(warning.name)
  process.on('warning', onWarning)
  const {Agent, request} = await import('node:http')
  const agent = new Agent({keepAlive: true, maxSockets: 1})
  try {
    for (let i = 0; i < 25; i++) {
      await new Promise<void>((resolve, reject) => {
        const req = request({host: '127.0.0.1', port: t.emulator.port, path: '/health', agent}, response => {
          response.resume()
          response.on('end', resolve)
        })
        req.on('error', reject)
        req.end()
      })
    }
    // Warnings are emitted on the next tick.
    await new Promise(resolve => setImmediate(resolve))
    assert.deepEqual(
      warnings.filter(name => name === 'MaxListenersExceededWarning'),
      [],
    )
  } finally {
    agent.destroy()
    process.off('warning', onWarning)
  }
})
