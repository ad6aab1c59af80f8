// The pure parts: the strict scale grammar, planning against a formation, git remotes, the
// Procfile, backoff and rate-limit pacing, Range paging, and the schema validator itself.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {pageOf, parseRange} from '../../src/emulator/heroku/http/paging.js'
import {expandProcessType, parseProcfile} from '../../src/emulator/heroku/procfile.js'
import {UsageError, NotFoundError} from '../../src/common/errors.js'
import {toQjobError} from '../../src/lib/heroku/api-errors.js'
import {appFromGitRemotes, parseGitRemoteConfig} from '../../src/lib/heroku/git-remotes.js'
import {buildCommand, parseEnvFlags} from '../../src/lib/heroku/one-off.js'
import {ExitMarkerFilter, parseRendezvousUrl, withExitMarker} from '../../src/lib/heroku/rendezvous.js'
import {backoffDelay, DEFAULT_RETRY_POLICY, isRetryableStatus, rateLimitPause} from '../../src/lib/heroku/retry.js'
import {formationArgs, parseScaleArg, parseScaleArgs, planScale} from '../../src/lib/heroku/scale-grammar.js'
import type {Formation} from '../../src/lib/heroku/types.js'
import {validateExchange} from './helpers/schema.js'

describe('scale grammar', () => {
  const good: Array<[string, unknown]> = [
    ['worker=2', {type: 'worker', op: 'set', quantity: 2}],
    ['worker=0', {type: 'worker', op: 'set', quantity: 0}],
    ['web=1:standard-2x', {type: 'web', op: 'set', quantity: 1, size: 'standard-2x'}],
    ['web=3:Performance-L', {type: 'web', op: 'set', quantity: 3, size: 'Performance-L'}],
    ['worker+1', {type: 'worker', op: 'add', quantity: 1}],
    ['worker-2', {type: 'worker', op: 'remove', quantity: 2}],
    ['my-worker-1', {type: 'my-worker', op: 'remove', quantity: 1}],
    ['queue_runner=10', {type: 'queue_runner', op: 'set', quantity: 10}],
    ['worker=100', {type: 'worker', op: 'set', quantity: 100}],
    ['worker:standard-2x', {type: 'worker', op: 'resize', size: 'standard-2x'}],
  ]
  for (const [arg, expected] of good) {
    it(`reads ${arg}`, () => {
      const {arg: _arg, ...change} = parseScaleArg(arg)
      assert.deepEqual(change, expected)
    })
  }

  const bad = [
    'worker',
    'worker=',
    'worker=abc',
    'worker=2:',
    'worker=-1',
    'worker=1.5',
    '=2',
    'worker+',
    'worker+0',
    'worker*2',
    'worker=2:standard 2x',
    'worker=101',
    'worker+1:standard-2x',
    'wor ker=1',
    'worker=2=3',
    '',
    'worker:',
    'worker:2',
    ':standard-2x',
  ]
  for (const arg of bad) {
    it(`rejects ${JSON.stringify(arg)} naming it`, () => {
      assert.throws(
        () => parseScaleArg(arg),
        (error: Error) => error instanceof UsageError && error.message.includes(`"${arg}"`),
      )
    })
  }

  it('rejects a process type given twice', () => {
    assert.throws(() => parseScaleArgs(['worker=1', 'worker+1']), /"worker=1" and "worker\+1" both scale worker/)
  })

  const formation: Formation[] = [
    {id: '1', type: 'worker', quantity: 2, command: 'w', size: 'Standard-1X'},
    {id: '2', type: 'web', quantity: 0, command: 'w', dyno_size: {name: 'Basic'}},
  ]

  it('plans absolute quantities and sizes as dyno_size', () => {
    assert.deepEqual(planScale(parseScaleArgs(['worker+3', 'web=1:standard-2x']), formation), [
      {type: 'worker', quantity: 5},
      {type: 'web', quantity: 1, dyno_size: {name: 'standard-2x'}},
    ])
  })

  it('plans a size-only change at the current quantity', () => {
    assert.deepEqual(planScale(parseScaleArgs(['worker:performance-m']), formation), [
      {type: 'worker', quantity: 2, dyno_size: {name: 'performance-m'}},
    ])
  })

  it('prints the formation as arguments scale takes back', () => {
    assert.equal(formationArgs(formation), 'worker=2:Standard-1X web=0:Basic')
    assert.deepEqual(
      parseScaleArgs(formationArgs(formation).split(' ')).map(change => change.arg),
      ['worker=2:Standard-1X', 'web=0:Basic'],
    )
  })

  it('refuses to go below zero and unknown types', () => {
    assert.throws(
      () => planScale(parseScaleArgs(['worker-3']), formation),
      (error: Error) => error instanceof UsageError && /"worker-3" would leave -1/.test(error.message),
    )
    assert.throws(
      () => planScale(parseScaleArgs(['clock=1']), formation),
      (error: Error) => error instanceof NotFoundError && /"clock"/.test(error.message),
    )
  })
})

describe('git remotes', () => {
  const config = parseGitRemoteConfig(
    'remote.origin.url git@github.com:acme/jobs.git\nremote.heroku.url https://git.heroku.com/acme-jobs.git\nremote.staging.url git@heroku.com:acme-jobs-staging.git\n',
  )

  it('prefers the remote named heroku', () => {
    assert.deepEqual(appFromGitRemotes(config), {app: 'acme-jobs'})
  })

  it('takes the only Heroku remote, and calls several ambiguous', () => {
    assert.deepEqual(appFromGitRemotes(config.filter(remote => remote.name !== 'heroku')), {app: 'acme-jobs-staging'})
    const two = parseGitRemoteConfig('remote.a.url https://git.heroku.com/one.git\nremote.b.url ssh://git@heroku.com/two.git\n')
    assert.deepEqual(appFromGitRemotes(two).ambiguous?.length, 2)
    assert.deepEqual(appFromGitRemotes(parseGitRemoteConfig('remote.origin.url https://github.com/a/b.git')), {})
  })
})

describe('Procfile', () => {
  it('parses types and expands a process type at the start of a one-off command', () => {
    const procfile = parseProcfile('# jobs\nworker: node worker.js\n\nclock:   node clock.js --tick 5\n')
    assert.deepEqual(
      [...procfile],
      [
        ['worker', 'node worker.js'],
        ['clock', 'node clock.js --tick 5'],
      ],
    )
    assert.equal(expandProcessType('worker', procfile), 'node worker.js')
    assert.equal(expandProcessType('worker --once; echo done', procfile), 'node worker.js --once; echo done')
    assert.equal(expandProcessType('workers', procfile), 'workers')
    assert.equal(expandProcessType('echo worker', procfile), 'echo worker')
  })

  it('names a line it cannot read', () => {
    assert.throws(() => parseProcfile('worker node worker.js\n'), /Procfile:1: expected "type: command"/)
    assert.throws(() => parseProcfile('a: x\na: y\n'), /Procfile:2: process type "a" is defined twice/)
  })
})

describe('retries and rate limits', () => {
  it('retries 429 and 503 always, 409 only where it is transient', () => {
    assert.ok(isRetryableStatus(429) && isRetryableStatus(503))
    assert.ok(!isRetryableStatus(409) && isRetryableStatus(409, {conflictIsTransient: true}))
    for (const status of [400, 401, 403, 404, 422, 500, undefined]) assert.ok(!isRetryableStatus(status))
  })

  it('backs off exponentially with jitter, capped', () => {
    const policy = {...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000}
    assert.equal(
      backoffDelay(0, policy, () => 0),
      50,
    )
    assert.equal(
      backoffDelay(0, policy, () => 1),
      100,
    )
    assert.equal(
      backoffDelay(3, policy, () => 1),
      800,
    )
    assert.equal(
      backoffDelay(10, policy, () => 1),
      1000,
    )
    assert.ok(backoffDelay(2, policy, () => 0.5) > backoffDelay(2, policy, () => 0))
  })

  it('spaces requests out when RateLimit-Remaining runs low', () => {
    assert.equal(rateLimitPause(undefined), 0)
    assert.equal(rateLimitPause(4500), 0)
    assert.equal(rateLimitPause(10), 800)
    assert.equal(rateLimitPause(0), 1600)
  })
})

describe('Range paging (local API)', () => {
  const items = ['e', 'a', 'd', 'c', 'b'].map(name => ({id: name, name}))

  it('pages with Next-Range and resumes after the last value', () => {
    const first = pageOf(items, parseRange('id ..; max=2', ['id', 'name']))
    assert.deepEqual(
      first.page.map(item => item.id),
      ['a', 'b'],
    )
    assert.equal(first.nextRange, 'id ]b..; max=2')
    const second = pageOf(items, parseRange(first.nextRange, ['id', 'name']))
    assert.deepEqual(
      second.page.map(item => item.id),
      ['c', 'd'],
    )
    const last = pageOf(items, parseRange(second.nextRange, ['id', 'name']))
    assert.deepEqual(
      last.page.map(item => item.id),
      ['e'],
    )
    assert.equal(last.nextRange, undefined)
  })

  it('caps max at the page size and honours order=desc', () => {
    assert.equal(parseRange('id ..; max=1000', ['id'], 3).max, 3)
    assert.deepEqual(
      pageOf(items, parseRange('name ..; max=2, order=desc', ['id', 'name'])).page.map(item => item.id),
      ['e', 'd'],
    )
    assert.throws(() => parseRange('size ..', ['id', 'name']), /Invalid Range field/)
  })
})

describe('the schema validator used by the tests', () => {
  const headers = {accept: 'application/vnd.heroku+json; version=3'}
  const exchange = {
    method: 'PATCH',
    path: '/apps/a/formation',
    requestHeaders: headers,
    status: 200,
    responseHeaders: {'RateLimit-Remaining': '10'},
  }

  it('catches a request and a response that break the schema', () => {
    const problems = validateExchange({
      ...exchange,
      requestBody: {updates: [{type: 'worker', quantity: '+1', size: 'basic'}]},
      responseBody: [{quantity: 'two'}],
    })
    assert.ok(
      problems.some(problem => /request body: .*quantity must be integer/.test(problem)),
      problems.join('\n'),
    )
    assert.ok(
      problems.some(problem => /request body: .*must NOT have additional properties/.test(problem)),
      problems.join('\n'),
    )
    assert.ok(
      problems.some(problem => /response body: .*quantity must be integer/.test(problem)),
      problems.join('\n'),
    )
  })

  it('catches unknown links, bad error bodies and missing headers', () => {
    assert.match(
      validateExchange({...exchange, method: 'GET', path: '/apps/a/nothing-here', requestBody: undefined, responseBody: {}})[0],
      /no link in the schema/,
    )
    const problems = validateExchange({
      ...exchange,
      method: 'GET',
      path: '/account',
      requestHeaders: {},
      requestBody: undefined,
      status: 404,
      responseHeaders: {},
      responseBody: {error: 'x'},
    })
    assert.equal(problems.length, 3, problems.join('\n'))
  })

  it('catches a response field the schema does not list (strictProperties)', () => {
    const problems = validateExchange({
      ...exchange,
      method: 'GET',
      path: '/apps/a/formation/worker',
      requestBody: undefined,
      responseBody: {type: 'worker', quantity: 1, invented: true},
    })
    assert.deepEqual(problems, ['GET /apps/a/formation/worker → 200: response body: / must NOT have additional properties'])
  })

  it('accepts a valid exchange', () => {
    assert.deepEqual(
      validateExchange({
        ...exchange,
        requestBody: {updates: [{type: 'worker', quantity: 2, dyno_size: {name: 'basic'}}]},
        responseBody: [],
      }),
      [],
    )
  })
})

describe('API errors become exit codes', () => {
  const cases: Array<[number, string, number]> = [
    [404, 'not_found', 3],
    [401, 'unauthorized', 4],
    [403, 'forbidden', 4],
    [422, 'invalid_params', 2],
    [429, 'rate_limit', 1],
    [503, 'unavailable', 1],
    [500, 'internal_server_error', 1],
  ]
  for (const [statusCode, id, exitCode] of cases) {
    it(`${statusCode} ${id} → exit ${exitCode}`, () => {
      const error = toQjobError({statusCode, body: {id, message: `about ${id}\nsecond line`}}, {baseUrl: 'https://api.heroku.com'})
      assert.equal(error.exitCode, exitCode)
      assert.match(error.message, new RegExp(`^Heroku API: about ${id}`))
      assert.ok(!error.message.includes('second line'))
    })
  }

  it('a connection failure is exit 1 naming the URL', () => {
    const error = toQjobError(Object.assign(new Error('connect'), {code: 'ECONNRESET'}), {baseUrl: 'https://api.heroku.com'})
    assert.equal(error.exitCode, 1)
    assert.equal(error.message, 'cannot reach the Heroku API at https://api.heroku.com: ECONNRESET')
  })
})

describe('one-off helpers', () => {
  it('quotes several arguments, takes one as written, defaults to worker', () => {
    assert.equal(buildCommand([]), 'worker')
    assert.equal(buildCommand(['echo $HOME && ls']), 'echo $HOME && ls')
    assert.equal(buildCommand(['node', '-e', "console.log('a b')"]), `node -e 'console.log('\\''a b'\\'')'`)
  })

  it('reads -e KEY=VALUE strictly', () => {
    assert.deepEqual(parseEnvFlags(['A=1', 'B=x=y', 'EMPTY=']), {A: '1', B: 'x=y', EMPTY: ''})
    assert.throws(() => parseEnvFlags(['A-B=1']), /cannot read -e "A-B=1"/)
  })

  it('strips the exit-status marker, even split across chunks, and keeps other U+FFFF text', () => {
    assert.match(withExitMarker('worker'), /^worker; echo "\uFFFF heroku-command-exit-status: \$\?"$/)
    let out = ''
    const filter = new ExitMarkerFilter(text => (out += text))
    for (const chunk of ['hello\n\uFFFF not a marker\nbye\n\uFFFF heroku-command-', 'exit-status: 42\r\n']) filter.push(chunk)
    filter.flush()
    assert.equal(out, 'hello\n\uFFFF not a marker\nbye\n')
    assert.equal(filter.exitCode, 42)
  })

  it('reads rendezvous URLs', () => {
    assert.deepEqual(parseRendezvousUrl('rendezvous://rendezvous.runtime.heroku.com:5000/abc123'), {
      host: 'rendezvous.runtime.heroku.com',
      port: 5000,
      secret: 'abc123',
    })
    assert.throws(() => parseRendezvousUrl('https://example.com/x'), /attach URL qjob cannot read/)
  })
})
