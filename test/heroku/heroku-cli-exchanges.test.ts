// The official Heroku CLI against the local API: each command's calls, as its source makes them
// (heroku/cli src/commands/{apps/info,config/set,config/get,ps/*,releases/index,run/*}.ts,
// src/lib/run/dyno.ts and log-displayer.ts), sent through heroku-client and validated against the
// vendored schema. The CLI itself is a 200+ MB install, so its exchanges are replayed here.
import assert from 'node:assert/strict'
import {once} from 'node:events'
import tls from 'node:tls'
import {after, before, describe, it} from 'node:test'

import Heroku from 'heroku-client'

import {APP_NAME, nodeCommand, startLocalHeroku, type LocalHeroku} from './helpers/local-heroku.js'

const SDK = 'application/vnd.heroku+json; version=3.sdk'

describe("the Heroku CLI's exchanges with the local API", () => {
  let heroku: LocalHeroku
  let client: Heroku
  const app = `/apps/${APP_NAME}`

  before(async () => {
    heroku = await startLocalHeroku({
      procfile: `worker: ${nodeCommand("console.log('worker FOO='+process.env.FOO);setInterval(()=>{},1000)")}\ncrash: ${nodeCommand("console.log('crashing');process.exit(3)")}\n`,
      dotenv: 'FOO=from-dotenv\n',
      crashCoolOffMs: 120_000,
    })
    client = new Heroku({token: heroku.emulator.token, host: heroku.emulator.url})
  })
  after(async () => {
    await heroku.close()
    assert.deepEqual(heroku.violations, [])
  })

  /** The next log line that matches, from now on. */
  const newLogLine = (pattern: RegExp) =>
    new Promise<void>(resolve => {
      const unsubscribe = heroku.emulator.logs.subscribe(line => {
        if (!pattern.test(`${line.source}[${line.dyno}]: ${line.message}`)) return
        unsubscribe()
        resolve()
      })
    })

  const status = async (promise: Promise<unknown>) =>
    promise.then(
      () => 200,
      (error: {statusCode?: number}) => error.statusCode,
    )

  it('apps:info: add-ons, app, dynos, collaborators (empty lists), pipeline coupling (404)', async () => {
    const [addons, info, dynos, collaborators] = await Promise.all([
      client.get<unknown[]>(`${app}/addons`),
      client.request<{name: string}>({path: app}),
      client.get<unknown[]>(`${app}/dynos`),
      client.get<unknown[]>(`${app}/collaborators`),
    ])
    assert.deepEqual([addons, collaborators], [[], []])
    assert.equal(info.name, APP_NAME)
    assert.ok(Array.isArray(dynos))
    assert.equal(await status(client.get(`${app}/pipeline-couplings`)), 404)
    assert.deepEqual(await client.get(`${app}/features`), [])
  })

  it('ps:scale, ps: formation, app, batch update; account, app, dynos with the sdk variant', async () => {
    await client.get(`${app}/formation`)
    await client.get(app)
    const formation = await client.patch<Array<{type: string; quantity: number}>>(`${app}/formation`, {
      body: {updates: [{type: 'worker', quantity: 2}]},
    })
    assert.deepEqual(
      formation.map(entry => [entry.type, entry.quantity]),
      [['worker', 2]],
    )
    await heroku.waitForLog(/app\[worker\.2\]: worker FOO=from-dotenv/)
    const [dynos] = await Promise.all([
      client.request<Array<{name: string; state: string}>>({path: `${app}/dynos`, headers: {Accept: SDK}}),
      client.request({path: '/account', headers: {Accept: SDK}}),
      client.request({path: app, headers: {Accept: SDK}}),
    ])
    assert.deepEqual(dynos.map(dyno => dyno.name).sort(), ['worker.1', 'worker.2'])
  })

  it('config:set, config:get, releases: a change is a release, restarts the dynos, and reaches them', async () => {
    const config = await client.patch<Record<string, string>>(`${app}/config-vars`, {body: {FOO: 'set-by-cli', EXTRA: 'x'}})
    assert.equal(config.FOO, 'set-by-cli')
    const [latest] = await client.get<Array<{version: number; description: string; current: boolean}>>(`${app}/releases`, {
      headers: {Range: 'version ..; order=desc,max=1'},
      partial: true,
    })
    assert.deepEqual([latest.version, latest.description, latest.current], [2, 'Set FOO, EXTRA config vars', true])
    await heroku.waitForLog(/app\[worker\.1\]: worker FOO=set-by-cli/)
    await heroku.waitForLog(/app\[worker\.2\]: worker FOO=set-by-cli/)
    assert.equal((await client.get<Record<string, string>>(`${app}/config-vars`)).FOO, 'set-by-cli')
    await client.patch(`${app}/config-vars`, {body: {EXTRA: null}})
    const releases = await client.request<Array<{version: number; description: string}>>({
      path: `${app}/releases`,
      headers: {Accept: SDK, Range: 'version ..; max=15, order=desc'},
    })
    assert.deepEqual(
      releases.map(release => [release.version, release.description]),
      [
        [3, 'Remove EXTRA config vars'],
        [2, 'Set FOO, EXTRA config vars'],
        [1, 'Initial release'],
      ],
    )
    const info = await client.get<{version: number; description: string}>(`${app}/releases/2`)
    assert.equal(info.description, 'Set FOO, EXTRA config vars')
    assert.equal(await status(client.get(`${app}/releases/99`)), 404)
    const dyno = await client.get<{release: {version: number}}>(`${app}/dynos/worker.1`)
    assert.equal(dyno.release.version, 3)
  })

  it('config:set errors: a bad name is 422, a missing app 404', async () => {
    assert.equal(await status(client.patch(`${app}/config-vars`, {body: {'9BAD': 'x'}})), 422)
    assert.equal(await status(client.patch(`${app}/config-vars`, {body: {[`A${'x'.repeat(300)}`]: 'x'}})), 422)
    assert.equal(await status(client.patch('/apps/no-such-app/config-vars', {body: {A: 'x'}})), 404)
  })

  it('ps:restart (a dyno, a type, all) and ps:stop (a dyno, a type): 202 and the dynos come back', async () => {
    for (const path of [`${app}/dynos/worker.1`, `${app}/formations/worker`, `${app}/dynos`])
      await client.delete(path, {headers: {Accept: SDK}})
    for (const path of [`${app}/dynos/worker.2/actions/stop`, `${app}/formations/worker/actions/stop`])
      await client.post(path, {headers: {Accept: SDK}})
    const restarts = heroku.exchanges.filter(exchange => exchange.method === 'DELETE' || exchange.path.endsWith('/actions/stop'))
    assert.ok(
      restarts.every(exchange => exchange.status === 202),
      JSON.stringify(restarts.map(exchange => exchange.status)),
    )
    await heroku.waitForLog(/heroku\[worker\.2\]: State changed from starting to up/)
    assert.equal(heroku.emulator.store.dynoList('worker').length, 2)
  })

  it('logs: a log session (sdk variant) whose stream is server-sent events', async () => {
    const session = await client.post<{logplex_url: string}>(`${app}/log-sessions`, {body: {lines: 5, tail: false}, headers: {Accept: SDK}})
    const stream = await fetch(session.logplex_url, {headers: {Accept: 'text/event-stream', 'User-Agent': 'heroku-run'}})
    assert.match(stream.headers.get('content-type') ?? '', /^text\/event-stream/)
    const events = (await stream.text()).split('\n\n').filter(Boolean)
    assert.equal(events.length, 5)
    for (const event of events) assert.match(event, /^id: \d+\ndata: \S+ (app|heroku)\[[\w.]+\]: /)
  })

  /** heroku run: POST /dynos as dyno.ts does, then the rendezvous (first chunk dropped). */
  async function herokuRun(command: string, input: string[], noTty: boolean): Promise<string> {
    await client.get('/account')
    const dyno = await client.post<{attach_url: string}>(`${app}/dynos`, {
      body: {
        attach: true,
        command: `${command} ; echo "\uFFFF heroku-command-exit-status: $?"`,
        env: {TERM: 'xterm', COLUMNS: '100', LINES: '30'},
        force_no_tty: noTty,
      },
    })
    const url = new URL(dyno.attach_url)
    const socket = tls.connect(Number(url.port), url.hostname, {ca: heroku.emulator.certificate.cert})
    await once(socket, 'secureConnect')
    socket.write(`${url.pathname.slice(1)}\r\n`)
    socket.setEncoding('utf8')
    let output = ''
    let first = true
    socket.on('data', (chunk: string) => {
      if (first) {
        first = false
        // The CLI starts piping stdin once the greeting came; at the end of stdin it sends Ctrl-D.
        for (const text of input) socket.write(text)
        socket.write('\u0004')
        return
      }
      output += chunk
    })
    await once(socket, 'close')
    return output
  }

  it('run with stdin on a terminal (the default): echo, window size, Ctrl-D ends the input, exit status', async () => {
    const output = await herokuRun('stty size; cat', ['hello\n'], false)
    assert.match(output, /30 100\r\n/)
    assert.equal(output.split('hello\r\n').length - 1, 2, `the terminal echoes the input, then cat prints it: ${JSON.stringify(output)}`)
    assert.match(output, /\uFFFF heroku-command-exit-status: 0/)
  })

  it('run --no-tty with stdin: no terminal, Ctrl-D is end of input', async () => {
    const output = await herokuRun('test -t 0 || echo no-tty; cat', ['one\n', 'two\n'], true)
    assert.equal(output, 'no-tty\none\ntwo\n\uFFFF heroku-command-exit-status: 0\n')
  })

  it('run:detached: a detached dyno whose output reaches the log stream', async () => {
    const dyno = await client.post<{name: string; attach_url: string | null}>(`${app}/dynos`, {
      body: {attach: false, command: 'echo detached-output'},
    })
    assert.equal(dyno.attach_url, null)
    await heroku.waitForLog(new RegExp(`app\\[${dyno.name.replace('.', '\\.')}\\]: detached-output`))
  })

  it('a crashed dyno restarts at once, then after the cool-off, shown as crashed meanwhile; ps:restart brings it back now', async () => {
    await client.patch(`${app}/formation`, {body: {updates: [{type: 'crash', quantity: 1}]}})
    await heroku.waitForLog(/heroku\[crash\.1\]: State changed from crashed to starting/)
    await heroku.waitForLog(/heroku\[crash\.1\]: Crashed 2 times in a row: restarting in 120 s/)
    const crashed = await client.get<{state: string}>(`${app}/dynos/crash.1`)
    assert.equal(crashed.state, 'crashed')
    // A manual restart starts it at once and its count afresh: it crashes, restarts at once, and
    // waits out a cool-off again.
    const again = newLogLine(/heroku\[crash\.1\]: Crashed 2 times in a row/)
    await client.delete(`${app}/dynos/crash.1`)
    await again
    await client.patch(`${app}/formation`, {body: {updates: [{type: 'crash', quantity: 0}]}})
  })
})
