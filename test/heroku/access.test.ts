// Credentials, app resolution, API errors → exit codes, retries and rate limits, against the local
// Platform API through bin/run.js (and, for the retry bounds, the client class over real HTTP).
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {createServer, type AddressInfo} from 'node:net'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {OperationError} from '../../src/common/errors.js'
import {HerokuApi} from '../../src/lib/heroku/api.js'
import {APP_NAME, nodeCommand, startLocalHeroku, type LocalHeroku} from './helpers/local-heroku.js'

describe('credentials, app, errors and retries', () => {
  let heroku: LocalHeroku

  before(async () => {
    // A legacy-style token (a bare UUID): redaction must come from registering it, not its shape.
    heroku = await startLocalHeroku({
      procfile: `worker: ${nodeCommand('setInterval(()=>{},1000)')}\n`,
      token: '5b0c1f3e-6a7d-4c1e-9f2a-8d3b4c5e6f70',
    })
  })
  after(async () => {
    await heroku.close()
  })

  it('reads the token from ~/.netrc (machine api.heroku.com) when HEROKU_API_KEY is unset', async () => {
    const home = join(heroku.home, 'netrc-home')
    mkdirSync(home)
    writeFileSync(
      join(home, '.netrc'),
      `machine git.heroku.com\n  login me@example.com\n  password wrong-one\nmachine api.heroku.com\n  login me@example.com\n  password ${heroku.emulator.token}\n`,
      {mode: 0o600},
    )
    const env = heroku.env({HOME: home, HEROKU_API_KEY: ''})
    const result = await heroku.qjob(['scale', '--json'], {env, cwd: home})
    assert.equal(result.code, 0, result.stderr)
    assert.equal((JSON.parse(result.stdout) as unknown[]).length, 1)
  })

  it('without any token: exit 4 with a hint, nothing sent', async () => {
    const sent = heroku.exchanges.length
    const result = await heroku.qjob(['ps'], {env: heroku.env({HEROKU_API_KEY: '', PATH: ''})})
    assert.equal(result.code, 4)
    assert.match(
      result.stderr,
      /^Error: no Heroku API token; looked in HEROKU_API_KEY, .+\.netrc \(machine api\.heroku\.com\), .+, "heroku auth:token" \(no heroku on PATH\)\nHint: Set HEROKU_API_KEY, or run "heroku login"\.\n$/,
    )
    assert.equal(heroku.exchanges.length, sent)
  })

  it('a wrong token: exit 4; the token is never printed, even with --debug', async () => {
    const wrong = 'HRKU-AAwrongwrongwrongwrongwrong'
    const result = await heroku.qjob(['ps', '--debug'], {env: heroku.env({HEROKU_API_KEY: wrong})})
    assert.equal(result.code, 4)
    assert.match(result.stderr, /^Error: Heroku API: Invalid credentials provided\.\nHint: Set HEROKU_API_KEY/)
    assert.ok(!`${result.stdout}${result.stderr}`.includes(wrong))
    const debug = await heroku.qjob(['ps', '-a', 'no-such-app', '--debug'])
    assert.equal(debug.code, 3)
    assert.match(debug.stderr, /\n\s+at /, 'the stack trace is shown')
    assert.ok(!debug.stderr.includes(heroku.emulator.token))
  })

  it('an unknown app is exit 3; --app wins over HEROKU_APP', async () => {
    const result = await heroku.qjob(['ps', '--app', 'no-such-app'])
    assert.equal(result.code, 3)
    assert.equal(result.stderr, "Error: Heroku API: Couldn't find that app.\n")
  })

  it('finds the app in the git remote "heroku", or the only Heroku remote; several are ambiguous', async () => {
    const repo = join(heroku.home, 'repo')
    mkdirSync(repo)
    const git = (...args: string[]) => execFileSync('git', args, {cwd: repo, stdio: 'ignore'})
    git('init', '-q')
    git('remote', 'add', 'origin', 'https://github.com/acme/jobs.git')
    git('remote', 'add', 'production', `https://git.heroku.com/${APP_NAME}.git`)
    const env = heroku.env({HEROKU_APP: ''})
    const only = await heroku.qjob(['scale', '--json'], {env, cwd: repo})
    assert.equal(only.code, 0, only.stderr)

    git('remote', 'add', 'staging', 'git@heroku.com:other-app.git')
    const ambiguous = await heroku.qjob(['ps'], {env, cwd: repo})
    assert.equal(ambiguous.code, 2)
    assert.match(ambiguous.stderr, /several git remotes point at Heroku apps \(production → qjob-test-app, staging → other-app\)/)

    git('remote', 'add', 'heroku', `git@heroku.com:${APP_NAME}.git`)
    const named = await heroku.qjob(['ps', '--json'], {env, cwd: repo})
    assert.equal(named.code, 0, named.stderr)

    const none = await heroku.qjob(['ps'], {env, cwd: heroku.home})
    assert.equal(none.code, 2)
    assert.match(none.stderr, /^Error: no Heroku app given\nHint: Pass --app APP or --remote NAME, set HEROKU_APP/)
  })

  it('retries 429 and 503 answers, then succeeds', async () => {
    const injected = heroku.emulator.faults.injected
    heroku.emulator.faults.inject({status: 429, count: 2, method: 'GET', path: '/formation'})
    heroku.emulator.faults.inject({status: 503, count: 1, method: 'PATCH'})
    const result = await heroku.qjob(['scale', 'worker=1', '--json'])
    assert.equal(result.code, 0, result.stderr)
    assert.equal(heroku.emulator.faults.injected - injected, 3)
    assert.equal((JSON.parse(result.stdout) as Array<{quantity: number}>)[0].quantity, 1)
    const patches = heroku.exchanges.filter(exchange => exchange.method === 'PATCH')
    assert.deepEqual(
      patches.slice(-2).map(exchange => exchange.status),
      [503, 200],
    )
    await heroku.qjob(['scale', 'worker=0'])
  })

  it('waits out a spent rate limit (429 rate_limit) and goes on', async () => {
    heroku.emulator.rateLimit.set(0)
    const result = await heroku.qjob(['ps', '--json'])
    assert.equal(result.code, 0, result.stderr)
    assert.ok(heroku.exchanges.some(exchange => exchange.status === 429 && (exchange.responseBody as {id: string}).id === 'rate_limit'))
    heroku.emulator.rateLimit.set(Number.MAX_SAFE_INTEGER)
  })

  it('gives up within its bounds and reports the failure (exit 1 error)', async () => {
    heroku.emulator.faults.inject({status: 503, count: 50, path: '/account'})
    const api = new HerokuApi({
      token: heroku.emulator.token,
      baseUrl: heroku.emulator.url,
      retry: {maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 40},
    })
    await assert.rejects(
      api.get('/account'),
      (error: Error) => error instanceof OperationError && /gave up after 3 retries/.test(error.message),
    )
    const bounded = new HerokuApi({
      token: heroku.emulator.token,
      baseUrl: heroku.emulator.url,
      retry: {maxAttempts: 50, baseDelayMs: 200, maxDelayMs: 400, maxTotalMs: 300},
    })
    const started = Date.now()
    await assert.rejects(bounded.get('/account'), OperationError)
    // Unbounded, 50 attempts would wait about 15 s; the budget is 300 ms (room for a loaded machine).
    assert.ok(Date.now() - started < 3000, 'the total time stays bounded')
    heroku.emulator.faults.clear()
  })

  it('slows down when RateLimit-Remaining runs low', async () => {
    const pauses: number[] = []
    const api = new HerokuApi({token: heroku.emulator.token, baseUrl: heroku.emulator.url, sleep: async ms => void pauses.push(ms)})
    heroku.emulator.rateLimit.set(3)
    await api.get('/account')
    await api.get('/account')
    assert.deepEqual(pauses, [800], 'the second request waited for a token to come back')
    heroku.emulator.rateLimit.set(Number.MAX_SAFE_INTEGER)
  })

  it('a local API URL where nothing listens fails at once (exit 1) with a hint', async () => {
    const server = createServer()
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const {port} = server.address() as AddressInfo
    await new Promise(resolve => server.close(resolve))
    const started = Date.now()
    const result = await heroku.qjob(['ps'], {env: heroku.env({HEROKU_API_URL: `http://127.0.0.1:${port}`})})
    assert.equal(result.code, 1)
    assert.equal(
      result.stderr,
      `Error: nothing answers at http://127.0.0.1:${port} (ECONNREFUSED)\nHint: Start the local emulator with "qjob emulator start", or unset HEROKU_API_URL to use api.heroku.com.\n`,
    )
    assert.ok(Date.now() - started < 5000, 'no 15 s of connection retries')
  })

  it('every request and response followed the schema; the token never appeared in output', () => {
    assert.deepEqual(heroku.violations, [])
    assert.deepEqual(heroku.leaks, [])
  })
})
