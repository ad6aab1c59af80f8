// The local Platform API itself, over real HTTP: credentials, versions, errors, paging, rate
// limits, the older field names, process supervision (crash, grace period, TTL, close) and the
// shared certificate.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {X509Certificate} from 'node:crypto'
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import tls from 'node:tls'
import {after, before, describe, it} from 'node:test'

import {loadOrCreateCertificate} from '../../src/emulator/certificate.js'
import {UsageError} from '../../src/common/errors.js'
import {startHerokuEmulator, type HerokuEmulator} from '../../src/emulator/heroku/index.js'
import {alive} from '../faults/helpers.js'
import {tempDir} from '../helpers/cli.js'
import {nodeCommand} from './helpers/local-heroku.js'

const ACCEPT = 'application/vnd.heroku+json; version=3'

function pidWriter(extra = ''): string {
  return nodeCommand(
    `require('fs').writeFileSync(process.env.PIDS+'/'+process.env.DYNO,String(process.pid));${extra}setInterval(()=>{},1000)`,
  )
}

describe('local Platform API', () => {
  let dir: ReturnType<typeof tempDir>
  let emulator: HerokuEmulator
  let pids: string

  before(async () => {
    dir = tempDir('qjob-heroku-api-')
    pids = join(dir.path, 'pids')
    mkdirSync(pids)
    const app = join(dir.path, 'My_App Dir')
    mkdirSync(app)
    writeFileSync(
      join(app, 'Procfile'),
      `worker: ${pidWriter()}\nstubborn: ${pidWriter("process.on('SIGTERM',()=>console.log('ignoring SIGTERM'));")}\ncrash: ${nodeCommand('process.exit(3)')}\n`,
    )
    writeFileSync(join(app, '.env'), `PIDS=${pids}\n`)
    emulator = await startHerokuEmulator({
      appDir: app,
      dataDir: join(dir.path, 'data'),
      gracePeriodMs: 400,
      pageSize: 2,
      rateLimit: {capacity: 1000},
    })
  })
  after(async () => {
    await emulator.close()
    dir.cleanup()
  })

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${emulator.url}${path}`, {
      method,
      headers: {Accept: ACCEPT, Authorization: `Bearer ${emulator.token}`, 'Content-Type': 'application/json', ...headers},
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return {status: response.status, headers: response.headers, body: (await response.json()) as unknown}
  }
  const app = () => `/apps/${emulator.appName}`

  it('names the app after its directory and serves app info and account', async () => {
    assert.equal(emulator.appName, 'my-app-dir')
    const info = await call('GET', app())
    assert.equal(info.status, 200)
    assert.equal((info.body as {name: string}).name, 'my-app-dir')
    const byId = await call('GET', `/apps/${(info.body as {id: string}).id}/formation/worker`)
    assert.equal(byId.status, 200)
    assert.equal((await call('GET', '/account')).status, 200)
  })

  it('checks credentials: Bearer or Basic with the token; 401 {id, message} otherwise', async () => {
    const basic = Buffer.from(`:${emulator.token}`).toString('base64')
    assert.equal((await call('GET', '/account', undefined, {Authorization: `Basic ${basic}`})).status, 200)
    const wrong = await call('GET', '/account', undefined, {Authorization: 'Bearer nope'})
    assert.deepEqual([wrong.status, (wrong.body as {id: string}).id], [401, 'unauthorized'])
    const response = await fetch(`${emulator.url}/account`, {headers: {Accept: ACCEPT}})
    assert.equal(response.status, 401)
    assert.match(((await response.json()) as {message: string}).message, /no credentials/)
  })

  it('wants the version-3 Accept header and answers unknown links with not_found', async () => {
    const noVersion = await call('GET', '/account', undefined, {Accept: 'application/json'})
    assert.deepEqual([noVersion.status, (noVersion.body as {id: string}).id], [404, 'not_found'])
    assert.equal((await call('GET', `${app()}/nothing`)).status, 404)
    assert.equal((await call('GET', '/apps/other-app')).status, 404)
    const badJson = await fetch(`${emulator.url}${app()}/formation`, {
      method: 'PATCH',
      headers: {Accept: ACCEPT, Authorization: `Bearer ${emulator.token}`},
      body: '{',
    })
    assert.equal(badJson.status, 400)
  })

  it('pages lists with Range and Next-Range (206)', async () => {
    const first = await call('GET', `${app()}/formation`, undefined, {Range: 'type ..; max=2'})
    assert.equal(first.status, 206)
    assert.deepEqual(
      (first.body as Array<{type: string}>).map(entry => entry.type),
      ['crash', 'stubborn'],
    )
    const next = first.headers.get('next-range') as string
    assert.equal(next, 'type ]stubborn..; max=2')
    const rest = await call('GET', `${app()}/formation`, undefined, {Range: next})
    assert.deepEqual([rest.status, (rest.body as Array<{type: string}>).map(entry => entry.type)], [200, ['worker']])
  })

  it('accepts the older field names: size, quantity as "+1"/"2", log-session dyno', async () => {
    const set = await call('PATCH', `${app()}/formation/worker`, {quantity: '2', size: 'standard-2x'})
    assert.equal(set.status, 200)
    assert.deepEqual([(set.body as {quantity: number}).quantity, (set.body as {size: string}).size], [2, 'Standard-2X'])
    assert.deepEqual((set.body as {dyno_size: {name: string}}).dyno_size.name, 'Standard-2X')
    const batch = await call('PATCH', `${app()}/formation`, {updates: [{type: 'worker', quantity: '-1', size: 'Standard-1X'}]})
    assert.equal((batch.body as Array<{quantity: number}>)[0].quantity, 1)
    const session = await call('POST', `${app()}/log-sessions`, {dyno: 'worker', lines: 10})
    assert.equal(session.status, 201)
    const stream = await fetch((session.body as {logplex_url: string}).logplex_url)
    assert.match(stream.headers.get('content-type') ?? '', /^text\/event-stream/)
    const text = await stream.text()
    assert.ok(
      text
        .split('\n')
        .filter(line => line.startsWith('data: '))
        .every(line => /\[worker\.\d+\]/.test(line)),
      text,
    )
    assert.equal((await fetch((session.body as {logplex_url: string}).logplex_url)).status, 404, 'a session is used once')
  })

  it('validates a batch whole: one bad update changes nothing', async () => {
    const bad = await call('PATCH', `${app()}/formation`, {
      updates: [
        {type: 'worker', quantity: 3},
        {type: 'nope', quantity: 1},
      ],
    })
    assert.deepEqual([bad.status, (bad.body as {id: string}).id], [404, 'not_found'])
    const tooMany = await call('PATCH', `${app()}/formation`, {updates: [{type: 'worker', quantity: 101}]})
    assert.deepEqual([tooMany.status, (tooMany.body as {id: string}).id], [422, 'invalid_params'])
    const formation = await call('GET', `${app()}/formation/worker`)
    assert.equal((formation.body as {quantity: number}).quantity, 1)
  })

  it('shows a process that exits on its own as crashed', async () => {
    await call('PATCH', `${app()}/formation`, {updates: [{type: 'crash', quantity: 1}]})
    for (;;) {
      const dyno = await call('GET', `${app()}/dynos/crash.1`)
      if ((dyno.body as {state: string}).state === 'crashed') break
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    await call('PATCH', `${app()}/formation`, {updates: [{type: 'crash', quantity: 0}]})
    // A first crash restarts at once, so the scale-down may find it starting again: then it goes
    // once its process has stopped.
    const deadline = Date.now() + 10_000
    let status = (await call('GET', `${app()}/dynos/crash.1`)).status
    while (status !== 404 && Date.now() < deadline) {
      await new Promise(resolve => setTimeout(resolve, 50))
      status = (await call('GET', `${app()}/dynos/crash.1`)).status
    }
    assert.equal(status, 404)
  })

  it('SIGKILLs a process that ignores SIGTERM after the grace period', async () => {
    await call('PATCH', `${app()}/formation`, {updates: [{type: 'stubborn', quantity: 1}]})
    const file = join(pids, 'stubborn.1')
    while (!existsSync(file)) await new Promise(resolve => setTimeout(resolve, 20))
    const pid = Number(readFileSync(file, 'utf8'))
    const started = Date.now()
    await call('PATCH', `${app()}/formation`, {updates: [{type: 'stubborn', quantity: 0}]})
    while ((await call('GET', `${app()}/dynos/stubborn.1`)).status === 200) await new Promise(resolve => setTimeout(resolve, 50))
    assert.ok(Date.now() - started >= 350, 'it waited for the grace period')
    assert.ok(!alive(pid))
    const lines = emulator.logs.recent({dynoName: 'stubborn.1'}, 50).map(line => line.message)
    assert.ok(lines.includes('Stopping remaining processes with SIGKILL'), lines.join('\n'))
    assert.ok(lines.includes('Process exited with status 137'), lines.join('\n'))
  })

  it('stops a one-off dyno when its time to live runs out', async () => {
    const created = await call('POST', `${app()}/dynos`, {command: 'sleep 30', time_to_live: 1})
    assert.equal(created.status, 201)
    const name = (created.body as {name: string}).name
    const started = Date.now()
    while ((await call('GET', `${app()}/dynos/${name}`)).status === 200) await new Promise(resolve => setTimeout(resolve, 100))
    assert.ok(Date.now() - started < 5000)
    assert.equal((await call('POST', `${app()}/dynos`, {command: 'true', time_to_live: 86_401})).status, 422)
  })

  it('refuses a rendezvous secret it did not issue', async () => {
    const created = await call('POST', `${app()}/dynos`, {command: 'echo hi', attach: true})
    const url = new URL((created.body as {attach_url: string}).attach_url)
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = tls.connect({host: url.hostname, port: Number(url.port), ca: emulator.certificate.cert}, () =>
        socket.write('not-the-secret\r\n'),
      )
      let text = ''
      socket.setEncoding('utf8').on('data', chunk => (text += chunk))
      socket.on('end', () => resolve(text))
      socket.on('error', reject)
    })
    assert.match(reply, /unknown or expired secret/)
    await call('POST', `${app()}/dynos/${(created.body as {name: string}).name}/actions/stop`)
  })

  it('answers 429 rate_limit when the budget is spent, with RateLimit-Remaining', async () => {
    emulator.rateLimit.set(2)
    const first = await call('GET', '/account')
    assert.equal(first.headers.get('ratelimit-remaining'), '1')
    await call('GET', '/account')
    const limited = await call('GET', '/account')
    assert.deepEqual(
      [limited.status, (limited.body as {id: string}).id, limited.headers.get('ratelimit-remaining')],
      [429, 'rate_limit', '0'],
    )
    emulator.rateLimit.set(1000)
  })

  it('keeps one certificate in the data dir, valid for 127.0.0.1 and localhost', async () => {
    const again = await loadOrCreateCertificate(join(dir.path, 'data'))
    assert.equal(again.cert, emulator.certificate.cert)
    const x509 = new X509Certificate(again.cert)
    assert.ok(x509.checkIP('127.0.0.1') && x509.checkHost('localhost'))
    assert.ok(x509.verify(x509.publicKey), 'self-signed')
  })

  it('close() stops every process', async () => {
    await call('PATCH', `${app()}/formation`, {updates: [{type: 'worker', quantity: 3}]})
    const files = ['worker.1', 'worker.2', 'worker.3'].map(name => join(pids, name))
    while (!files.every(existsSync)) await new Promise(resolve => setTimeout(resolve, 20))
    await new Promise(resolve => setTimeout(resolve, 100))
    const running = files.map(file => Number(readFileSync(file, 'utf8')))
    assert.ok(running.every(alive))
    await emulator.close()
    assert.deepEqual(running.filter(alive), [])
  })
})

describe('local Platform API start-up errors', () => {
  it('needs a Procfile that parses and a valid app name (usage errors)', async () => {
    const dir = tempDir('qjob-heroku-bad-')
    try {
      await assert.rejects(
        startHerokuEmulator({appDir: dir.path}),
        (error: Error) => error instanceof UsageError && /has no Procfile/.test(error.message),
      )
      writeFileSync(join(dir.path, 'Procfile'), 'worker: node w.js\nthis is not a process line\n')
      await assert.rejects(
        startHerokuEmulator({appDir: dir.path}),
        (error: Error) => error instanceof UsageError && /Procfile:2: expected "type: command"/.test(error.message),
      )
      writeFileSync(join(dir.path, 'Procfile'), 'worker: node w.js\n')
      await assert.rejects(startHerokuEmulator({appDir: dir.path, appName: 'Bad_Name'}), /"Bad_Name" is not a valid app name/)
    } finally {
      dir.cleanup()
    }
  })
})

describe('local Platform API host process', () => {
  it('exiting without close() still leaves no dyno process behind', async () => {
    const dir = tempDir('qjob-heroku-exit-')
    try {
      mkdirSync(join(dir.path, 'pids'))
      writeFileSync(join(dir.path, 'Procfile'), `worker: ${pidWriter()}\n`)
      writeFileSync(join(dir.path, '.env'), `PIDS=${join(dir.path, 'pids')}\n`)
      const fixture = join(import.meta.dirname, 'fixtures', 'exit-without-close.ts')
      const child = spawn(process.execPath, ['--import', 'tsx', fixture, dir.path], {stdio: 'ignore'})
      assert.equal(await new Promise(resolve => child.on('close', resolve)), 0)
      const pidList = ['worker.1', 'worker.2'].map(name => Number(readFileSync(join(dir.path, 'pids', name), 'utf8')))
      // SIGKILL was sent on exit; give init a moment to reap them.
      const deadline = Date.now() + 3000
      while (pidList.some(alive) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 50))
      assert.deepEqual(pidList.filter(alive), [])
    } finally {
      dir.cleanup()
    }
  })
})

describe('local Platform API data dir', () => {
  it('keeps the token and the formation across restarts, and starts the dynos again', async () => {
    const dir = tempDir('qjob-heroku-data-')
    try {
      writeFileSync(join(dir.path, 'Procfile'), `worker: ${nodeCommand('setInterval(()=>{},1000)')}\n`)
      const dataDir = join(dir.path, 'data')
      const first = await startHerokuEmulator({appDir: dir.path, dataDir, appName: 'kept-app'})
      const scaled = await fetch(`${first.url}/apps/kept-app/formation`, {
        method: 'PATCH',
        headers: {Authorization: `Bearer ${first.token}`, Accept: ACCEPT, 'Content-Type': 'application/json'},
        body: JSON.stringify({updates: [{type: 'worker', quantity: 2, dyno_size: {name: 'standard-2x'}}]}),
      })
      assert.equal(scaled.status, 200)
      await first.close()

      const second = await startHerokuEmulator({appDir: dir.path, dataDir, appName: 'kept-app'})
      try {
        assert.equal(second.token, first.token)
        const formation = second.store.findFormation('worker')
        assert.deepEqual([formation?.quantity, formation?.size], [2, 'Standard-2X'])
        assert.deepEqual(
          second.store.dynoList().map(dyno => dyno.name),
          ['worker.1', 'worker.2'],
        )
      } finally {
        await second.close()
      }
    } finally {
      dir.cleanup()
    }
  })
})
