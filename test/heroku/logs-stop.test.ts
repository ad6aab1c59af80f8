// qjob logs and qjob stop through bin/run.js against the local Platform API.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {after, before, describe, it} from 'node:test'

import {binPath} from '../helpers/cli.js'
import {nodeCommand, startLocalHeroku, type LocalHeroku} from './helpers/local-heroku.js'

const TICKER = nodeCommand(
  "let n=0;console.log('boot '+process.env.DYNO);process.on('SIGTERM',()=>{console.log('bye '+process.env.DYNO);process.exit(0)});setInterval(()=>console.log('tick '+(++n)),200)",
)

describe('qjob logs and stop', () => {
  let heroku: LocalHeroku

  before(async () => {
    heroku = await startLocalHeroku({procfile: `worker: ${TICKER}\nclock: ${TICKER}\n`})
    const result = await heroku.qjob(['scale', 'worker=2', 'clock=1', '--wait'])
    assert.equal(result.code, 0, result.stderr)
    await heroku.waitForLog(/app\[worker\.2\]: tick 2/)
    await heroku.waitForLog(/app\[clock\.1\]: tick 2/)
  })
  after(async () => {
    await heroku.close()
  })

  it('prints the latest lines: app output and platform events', async () => {
    const result = await heroku.qjob(['logs', '-n', '1500'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /^\S+ heroku\[worker\.1\]: Starting process with command `node -e/m)
    assert.match(result.stdout, /^\S+ heroku\[worker\.1\]: State changed from starting to up$/m)
    assert.match(result.stdout, /^\d{4}-\d\d-\d\dT\S+\+00:00 app\[clock\.1\]: boot clock\.1$/m)
  })

  it('-p TYPE, -d DYNO, -s SOURCE and -n filter the lines', async () => {
    const byType = await heroku.qjob(['logs', '-p', 'worker', '-n', '1500'])
    const dynos = new Set([...byType.stdout.matchAll(/\[([^\]]+)\]/g)].map(match => match[1]))
    assert.deepEqual([...dynos].sort(), ['worker.1', 'worker.2'])
    const byDyno = await heroku.qjob(['logs', '-d', 'worker.2', '-s', 'app', '-n', '3'])
    const lines = byDyno.stdout.trimEnd().split('\n')
    assert.equal(lines.length, 3)
    assert.ok(
      lines.every(line => / app\[worker\.2\]: /.test(line)),
      byDyno.stdout,
    )
    const body = heroku.exchanges.filter(exchange => exchange.path.endsWith('/log-sessions')).at(-1)?.requestBody
    assert.deepEqual(body, {lines: 3, tail: false, dyno_name: 'worker.2', source: 'app'})
  })

  it('--ndjson parses the lines, one object a line; --json is its alias and --num of -n', async () => {
    const result = await heroku.qjob(['logs', '-d', 'clock.1', '-n', '2', '--ndjson'])
    assert.equal(result.code, 0, result.stderr)
    const lines = result.stdout
      .trimEnd()
      .split('\n')
      .map(line => JSON.parse(line) as {source: string; dyno: string; message: string; timestamp: string})
    assert.equal(lines.length, 2)
    assert.deepEqual(Object.keys(lines[0]), ['timestamp', 'source', 'dyno', 'message'])
    assert.equal(lines[0].dyno, 'clock.1')
    const alias = await heroku.qjob(['logs', '-d', 'clock.1', '--num', '2', '--json'])
    assert.equal(alias.code, 0, alias.stderr)
    assert.equal(alias.stdout.trimEnd().split('\n').length, 2)
    assert.ok(
      alias.stdout
        .trimEnd()
        .split('\n')
        .every(line => (JSON.parse(line) as {dyno: string}).dyno === 'clock.1'),
    )
  })

  it('-t follows new lines as they come (NDJSON) until interrupted', async () => {
    const child = spawn(process.execPath, [binPath, 'logs', '-t', '-p', 'clock', '-n', '0', '--ndjson'], {
      cwd: heroku.home,
      env: heroku.env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    const got = new Promise<void>(resolve => {
      child.stdout.setEncoding('utf8').on('data', chunk => {
        stdout += chunk
        if ((stdout.match(/"message":"tick \d+"/g) ?? []).length >= 2) resolve()
      })
    })
    await got
    child.kill('SIGINT')
    await new Promise(resolve => child.on('close', resolve))
    const first = JSON.parse(stdout.split('\n')[0]) as {dyno: string; source: string}
    assert.equal(first.dyno, 'clock.1')
    assert.equal(first.source, 'app')
  })

  it('stop DYNO stops one formation dyno with SIGTERM; the platform starts it again', async () => {
    const before = heroku.emulator.store.findDyno('worker.2')?.id
    const result = await heroku.qjob(['stop', 'worker.2'])
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stderr, 'Stopping worker.2 on qjob-test-app.\n')
    await heroku.waitForLog(/app\[worker\.2\]: bye worker\.2/)
    await heroku.waitForLog(/heroku\[worker\.2\]: Process exited with status 0/)
    const wait = await heroku.qjob(['scale', 'worker=2', '--wait'])
    assert.equal(wait.code, 0, wait.stderr)
    const after = heroku.emulator.store.findDyno('worker.2')
    assert.ok(after && after.id !== before && after.state === 'up', 'a new worker.2 runs')
  })

  it('stop TYPE stops every dyno of the type; unknown dynos and types are exit 3', async () => {
    const result = await heroku.qjob(['stop', 'clock', '--json'])
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(JSON.parse(result.stdout), {app: 'qjob-test-app', stopped: 'clock', kind: 'type'})
    await heroku.waitForLog(/app\[clock\.1\]: bye clock\.1/)
    const oneOff = await heroku.qjob(['run-once', '--detach', '--', 'node', '-e', 'setInterval(()=>{},1000)'])
    const name = oneOff.stdout.trim()
    assert.equal((await heroku.qjob(['stop', name])).code, 0)
    await heroku.waitForLog(new RegExp(`heroku\\[${name.replace('.', '\\.')}\\]: State changed from up to down`))
    assert.equal(heroku.emulator.store.findDyno(name), undefined, 'a stopped one-off dyno is gone')
    assert.equal((await heroku.qjob(['stop', 'worker.9'])).code, 3)
    assert.equal((await heroku.qjob(['stop', 'nothing'])).code, 3)
  })

  it('every request and response followed the schema; the token never appeared in output', () => {
    assert.deepEqual(heroku.violations, [])
    assert.deepEqual(heroku.leaks, [])
  })
})
