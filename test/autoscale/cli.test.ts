// qjob autoscale through bin/run.js against both emulators: --once, --dry-run, --json lines, exit
// codes, usage errors before any call, and the token never printed.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {once} from 'node:events'
import {after, before, beforeEach, describe, it} from 'node:test'

import {binPath} from '../helpers/cli.js'
import {APP_NAME} from '../heroku/helpers/local-heroku.js'
import {ndjson} from '../messaging/helpers.js'
import {startAutoscaleFixture, type AutoscaleFixture} from './helpers.js'

describe('qjob autoscale (CLI)', () => {
  let fx: AutoscaleFixture
  const qjob = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
    fx.heroku.qjob(['autoscale', ...args], {
      env: fx.heroku.env({SERVICEBUS_CONNECTION_STRING: fx.servicebus.connectionString, ...extraEnv}),
    })

  before(async () => {
    fx = await startAutoscaleFixture()
  })
  after(async () => {
    await fx.close()
    assert.deepEqual(fx.heroku.leaks, [], 'the API token is never printed')
    assert.deepEqual(fx.heroku.violations, [])
  })
  beforeEach(async () => {
    await fx.drain()
    await fx.api().patch(`/apps/${APP_NAME}/formation/worker`, {body: {quantity: 0, dyno_size: {name: 'Standard-1X'}}})
  })

  it('rejects bad values with exit 2 before any call', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--max', '0', '--per-worker', '5'], /--max must be 1 to 100/],
      [['--max', '101', '--per-worker', '5'], /--max must be 1 to 100/],
      [['--min', '5', '--max', '2', '--per-worker', '5'], /--min 5 is above --max 2/],
      [['--max', '3', '--per-worker', '0'], /--per-worker must be 1 or more/],
      [['--max', '3', '--per-worker', '5', '--interval', 'soon'], /invalid interval "soon"/],
      [['--max', '3', '--per-worker', '5', '--interval', '100ms'], /--interval must be at least 1s/],
      [['--max', '3', '--per-worker', '5', '--down-cooldown', '5 minutes'], /invalid down-cooldown/],
      [['--max', '3', '--per-worker', '5', '--max-step', '0'], /--max-step must be 1 or more/],
      [['--max', '3', '--per-worker', '5', '--activation', '-1'], /--activation must be 0 or more/],
      [['--max', '3', '--per-worker', 'many'], /per-worker/],
      [['--per-worker', '5'], /max/],
    ]
    const before = fx.heroku.exchanges.length
    for (const [args, message] of cases) {
      const result = await qjob(['-q', fx.queue, '--once', ...args])
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`)
      assert.match(result.stderr, message, args.join(' '))
      assert.equal(result.stdout, '')
    }
    assert.equal(fx.heroku.exchanges.length, before, 'no API call')
    const noQueue = await qjob(['--once', '--max', '3', '--per-worker', '5'])
    assert.equal(noQueue.code, 2)
    assert.match(noQueue.stderr, /no queue given/)
  })

  it('--help shows the rules and examples', async () => {
    const result = await fx.heroku.qjob(['autoscale', '--help'])
    assert.equal(result.code, 0)
    for (const text of [
      '--per-worker',
      '--activation',
      '--down-cooldown',
      '--max-step',
      '--once',
      '--dry-run',
      'clamp(ceil(active / per-worker), min, max)',
      'EXAMPLES',
    ]) {
      assert.ok(result.stdout.includes(text), text)
    }
  })

  it('--once --dry-run prints one decision and changes nothing', async () => {
    await fx.send(120)
    const mark = fx.heroku.exchanges.length
    const result = await qjob(['-q', fx.queue, '--max', '10', '--per-worker', '50', '--once', '--dry-run'])
    assert.equal(result.code, 0, result.stderr)
    const lines = result.stdout.trim().split('\n')
    assert.equal(lines.length, 1)
    assert.match(
      lines[0],
      /queue=jobs active=120 scheduled=0 dead_letter=0 locked=unknown type=worker current=0 desired=3 action=dry-run rule=target reason="ceil\(120 active \/ 50 per worker\) = 3"/,
    )
    assert.equal(fx.quantity(), 0)
    const calls = fx.heroku.exchanges.slice(mark).map(exchange => `${exchange.method} ${exchange.path}`)
    assert.deepEqual(calls, [`GET /apps/${APP_NAME}/formation/worker`], 'one read, no update')
  })

  it('--once --json scales up (real dynos) and, with the queue empty, back to zero; JSON lines', async () => {
    await fx.send(120)
    const up = await qjob(['-q', fx.queue, '--max', '10', '--per-worker', '50', '--once', '--json'])
    assert.equal(up.code, 0, up.stderr)
    const [decision] = ndjson(up.stdout)
    assert.deepEqual(
      {
        event: decision.event,
        current: decision.current,
        desired: decision.desired,
        target: decision.target,
        rule: decision.rule,
        action: decision.action,
        counts: decision.counts,
      },
      {
        event: 'decision',
        current: 0,
        desired: 3,
        target: 3,
        rule: 'target',
        action: 'scaled',
        counts: {active: 120, scheduled: 0, deadLetter: 0},
      },
    )
    assert.equal(typeof decision.reason, 'string')
    assert.equal(fx.quantity(), 3)
    assert.equal(fx.processes(), 3)

    await fx.drain()
    // The scale-up just now started the down-cooldown: held.
    const held = await qjob(['-q', fx.queue, '--max', '10', '--per-worker', '50', '--once', '--json'])
    assert.equal(held.code, 0, held.stderr)
    assert.deepEqual(pick(ndjson(held.stdout)[0]), [3, 'down-cooldown', 'hold'])
    const down = await qjob(['-q', fx.queue, '--max', '10', '--per-worker', '50', '--once', '--json', '--down-cooldown', '0'])
    assert.equal(down.code, 0, down.stderr)
    assert.deepEqual(pick(ndjson(down.stdout)[0]), [0, 'target', 'scaled'])
    assert.equal(fx.quantity(), 0)
  })

  it('without --once keeps deciding every --interval and stops cleanly on SIGTERM', async () => {
    await fx.send(60)
    const env = fx.heroku.env({SERVICEBUS_CONNECTION_STRING: fx.servicebus.connectionString})
    const child = spawn(
      process.execPath,
      [binPath, 'autoscale', '-q', fx.queue, '--max', '10', '--per-worker', '50', '--interval', '1s', '--json'],
      {cwd: fx.heroku.home, env, stdio: ['ignore', 'pipe', 'pipe']},
    )
    let stdout = ''
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', chunk => (stderr += chunk))
    const exited = once(child, 'close')
    try {
      // The second decision: the first scaled to 2, the second sees 2 running.
      await new Promise<void>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', chunk => {
          stdout += chunk
          if (ndjson(stdout.slice(0, stdout.lastIndexOf('\n') + 1)).length >= 2) resolve()
        })
        child.once('close', () => reject(new Error(`qjob exited early: ${stderr}`)))
      })
      child.kill('SIGTERM')
      const [code] = await exited
      assert.equal(code, 0, stderr)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
    const lines = ndjson(stdout)
    assert.deepEqual(pick(lines[0]), [2, 'target', 'scaled'])
    assert.deepEqual([lines[1].current, lines[1].desired, lines[1].action], [2, 2, 'hold'])
    assert.equal(stderr, '')
  })

  it('a wrong queue or process type fails at once with exit 3, a wrong token with exit 4', async () => {
    const queue = await qjob(['-q', 'nope', '--max', '3', '--per-worker', '5', '--once'])
    assert.equal(queue.code, 3, queue.stderr)
    assert.match(queue.stderr, /nope/)
    const type = await qjob(['-q', fx.queue, '--type', 'web', '--max', '3', '--per-worker', '5', '--once'])
    assert.equal(type.code, 3, type.stderr)
    const token = await qjob(['-q', fx.queue, '--max', '3', '--per-worker', '5', '--once'], {HEROKU_API_KEY: 'wrong'})
    assert.equal(token.code, 4, token.stderr)
  })

  it('--once reports a tier limit on stderr and exits 2; a 429 storm exits 1 naming the rate limit', async () => {
    await fx.api().patch(`/apps/${APP_NAME}/formation/worker`, {body: {dyno_size: {name: 'Basic'}}})
    await fx.send(200)
    const tier = await qjob(['-q', fx.queue, '--max', '10', '--per-worker', '50', '--once'])
    assert.equal(tier.code, 2, tier.stderr)
    assert.match(
      tier.stderr,
      /error=tier-limit stage=scale message="the platform refused the quantity: Heroku API: Cannot update to more than 1 Basic/,
    )
    assert.match(tier.stderr, /hint="Lower --max/)
    assert.match(tier.stdout, /desired=4 action=failed/)
    assert.equal(fx.quantity(), 0)

    await fx.api().patch(`/apps/${APP_NAME}/formation/worker`, {body: {dyno_size: {name: 'Standard-1X'}}})
    fx.heroku.emulator.faults.inject({status: 429, method: 'PATCH', path: '/formation/worker', count: 50})
    try {
      // --interval 2s bounds the client's retries to 2 s.
      const limited = await qjob(['-q', fx.queue, '--max', '10', '--per-worker', '50', '--once', '--json', '--interval', '2s'])
      assert.equal(limited.code, 1, limited.stderr)
      const [failure] = ndjson(limited.stderr)
      assert.equal(failure.kind, 'rate-limit')
      assert.match(String(failure.message), /rate limit/i)
      assert.equal(fx.quantity(), 0)
    } finally {
      fx.heroku.emulator.faults.clear()
    }
  })
})

function pick(line: Record<string, unknown>): unknown[] {
  return [line.desired, line.rule, line.action]
}
