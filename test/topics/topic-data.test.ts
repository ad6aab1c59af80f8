// The data commands with topics through bin/run.js: send/schedule to a topic, and peek, receive,
// dlq peek/resubmit/purge, work and autoscale on a subscription; the entity grammar's bad input.
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'

import {startServiceBusEmulator, type ServiceBusEmulator} from '../../src/emulator/servicebus/index.js'
import {startAutoscaleFixture} from '../autoscale/helpers.js'
import {type CliResult, cleanEnv, runCli, tempDir} from '../helpers/cli.js'
import {ndjson} from '../messaging/helpers.js'

describe('data commands on topics and subscriptions', () => {
  let emulator: ServiceBusEmulator
  let dir: ReturnType<typeof tempDir>
  let env: NodeJS.ProcessEnv
  const qjob = (args: string[], input?: string): Promise<CliResult> => runCli(args, {cwd: dir.path, env, input})
  const ok = (result: CliResult) => {
    assert.equal(result.code, 0, result.stderr)
    return result
  }
  const peekBodies = async (subscription: string, ...extra: string[]) =>
    ndjson(ok(await qjob(['peek', '--topic', 'jobs', '--subscription', subscription, '-n', '50', '--ndjson', ...extra])).stdout).map(
      m => m.body,
    )

  before(async () => {
    dir = tempDir('qjob-topic-data-')
    emulator = await startServiceBusEmulator({port: 0, inMemory: true})
    env = cleanEnv(dir.path, {SERVICEBUS_CONNECTION_STRING: emulator.connectionString})
    // The README's fan-out example: one topic, a subscription per worker type.
    ok(await qjob(['topic', 'create', 'jobs']))
    ok(await qjob(['subscription', 'create', 'resize', '--topic', 'jobs', '--correlation', 'subject=resize', '--max-delivery-count', '2']))
    ok(await qjob(['subscription', 'create', 'email', '--topic', 'jobs', '--sql', "sys.Label = 'email'"]))
    ok(await qjob(['subscription', 'create', 'audit', '--topic', 'jobs']))
  })
  after(async () => {
    await emulator.close()
    dir.cleanup()
  })

  it('send --topic fans out by the rules: each subscription gets what matches it', async () => {
    ok(await qjob(['send', '--topic', 'jobs', '--subject', 'resize', '{"image":1}']))
    ok(await qjob(['send', '--topic', 'jobs', '--subject', 'email', '{"to":"a@b"}']))
    const sent = JSON.parse(
      ok(await qjob(['send', '--topic', 'jobs', '--subject', 'resize', '--count', '3', '{"image":2}', '--json'])).stdout,
    )
    assert.equal(sent.sent, 3)
    assert.deepEqual(await peekBodies('resize'), [{image: 1}, {image: 2}, {image: 2}, {image: 2}])
    assert.deepEqual(await peekBodies('email'), [{to: 'a@b'}])
    assert.equal((await peekBodies('audit')).length, 5)
    const fanOut = JSON.parse(ok(await qjob(['topic', 'show', 'jobs', '--json'])).stdout)
    const active = Object.fromEntries(fanOut.subscriptions.map((s: {name: string; counts: {active: number}}) => [s.name, s.counts.active]))
    assert.deepEqual(active, {audit: 5, email: 1, resize: 4})
  })

  it('receive --topic --subscription takes from that subscription only', async () => {
    const received = ndjson(
      ok(await qjob(['receive', '--topic', 'jobs', '--subscription', 'email', '-n', '5', '--idle-timeout', '2', '--ndjson'])).stdout,
    )
    assert.deepEqual(
      received.map(m => m.body),
      [{to: 'a@b'}],
    )
    assert.deepEqual(await peekBodies('email'), [])
    assert.equal((await peekBodies('audit')).length, 5, 'the audit copy is untouched')
  })

  it('work --topic --subscription runs the command for each of its messages', async () => {
    const result = ok(await qjob(['work', '--topic', 'jobs', '--subscription', 'resize', '--exec', 'cat >/dev/null', '--exit-when-empty']))
    assert.match(result.stderr, /completed=4/)
    assert.deepEqual(await peekBodies('resize'), [])
  })

  it('dead letters of a subscription: peek, resubmit to that subscription alone, purge', async () => {
    // Dead-letter two audit copies by hand.
    ok(
      await qjob([
        'receive',
        '--topic',
        'jobs',
        '--subscription',
        'audit',
        '-n',
        '2',
        '--settle',
        'dead-letter',
        '--reason',
        'Broken',
        '--ndjson',
      ]),
    )
    const dead = ndjson(ok(await qjob(['dlq', 'peek', '--topic', 'jobs', '--subscription', 'audit', '--ndjson'])).stdout)
    assert.equal(dead.length, 2)
    assert.deepEqual(
      dead.map(m => m.deadLetterReason),
      ['Broken', 'Broken'],
    )

    // audit's own $Default rule (and the others) would take the copies too: refused, nothing moved.
    const refused = await qjob(['dlq', 'resubmit', '--topic', 'jobs', '--subscription', 'audit', '--all'])
    assert.equal(refused.code, 1, refused.stderr)
    assert.match(refused.stderr, /resubmitted copies would also reach .*audit\/\$Default/)
    assert.match(refused.stderr, /qjob_resubmit_to IS NULL/)
    assert.equal(ndjson(ok(await qjob(['dlq', 'peek', '--topic', 'jobs', '--subscription', 'audit', '--ndjson'])).stdout).length, 2)

    // Make every rule leave resubmitted copies out, as the hint says.
    for (const [subscription, sql] of [
      ['audit', 'qjob_resubmit_to IS NULL'],
      ['resize', "(sys.Label = 'resize') AND qjob_resubmit_to IS NULL"],
      ['email', "(sys.Label = 'email') AND qjob_resubmit_to IS NULL"],
    ]) {
      ok(await qjob(['rule', 'create', 'main', '--topic', 'jobs', '--subscription', subscription, '--sql', sql]))
      ok(await qjob(['rule', 'delete', '$Default', '--topic', 'jobs', '--subscription', subscription, '--yes']))
    }
    const before = {
      resize: (await peekBodies('resize')).length,
      email: (await peekBodies('email')).length,
      audit: (await peekBodies('audit')).length,
    }
    const moved = JSON.parse(ok(await qjob(['dlq', 'resubmit', '--topic', 'jobs', '--subscription', 'audit', '--all', '--json'])).stdout)
    assert.equal(moved.resubmitted, 2)
    assert.equal((await peekBodies('audit')).length, before.audit + 2, 'audit got its two back, once each')
    assert.equal((await peekBodies('resize')).length, before.resize, 'no copy reached resize')
    assert.equal((await peekBodies('email')).length, before.email, 'no copy reached email')
    const rules = JSON.parse(ok(await qjob(['rule', 'list', '--topic', 'jobs', '--subscription', 'audit', '--json'])).stdout)
    assert.ok(
      rules.some((rule: {name: string}) => rule.name === 'qjob-resubmit'),
      'the targeting rule was created',
    )

    ok(await qjob(['receive', '--topic', 'jobs', '--subscription', 'audit', '-n', '1', '--settle', 'dead-letter', '--ndjson']))
    const purged = JSON.parse(ok(await qjob(['dlq', 'purge', '--topic', 'jobs', '--subscription', 'audit', '--yes', '--json'])).stdout)
    assert.equal(purged.removed, 1)
    const emptied = JSON.parse(ok(await qjob(['subscription', 'purge', 'audit', '--topic', 'jobs', '--yes', '--json'])).stdout)
    assert.ok(emptied.removed > 0)
    assert.deepEqual(await peekBodies('audit'), [])
  })

  it('schedule --topic and schedule cancel --topic', async () => {
    const scheduled = JSON.parse(
      ok(await qjob(['schedule', '--topic', 'jobs', '--in', '1h', '--subject', 'email', 'later', '--json'])).stdout,
    )
    assert.equal(scheduled.sequenceNumbers.length, 1)
    const shown = JSON.parse(ok(await qjob(['topic', 'show', 'jobs', '--json'])).stdout)
    assert.equal(shown.topic.counts.scheduled, 1)
    ok(await qjob(['schedule', 'cancel', '--topic', 'jobs', String(scheduled.sequenceNumbers[0])]))
    const after = JSON.parse(ok(await qjob(['topic', 'show', 'jobs', '--json'])).stdout)
    assert.equal(after.topic.counts.scheduled, 0)
  })

  it('bad entity flags are exit 2 before any call; a missing subscription is exit 3 naming it', async () => {
    for (const [args, message] of [
      [['peek', '--subscription', 'audit'], /--subscription needs --topic/],
      [['peek', '-q', 'x', '--topic', 'jobs', '--subscription', 'audit'], /-q\/--queue and --topic cannot be used together/],
      [['receive', '--topic', 'jobs'], /--topic needs --subscription here/],
      [['send', '--topic', 'jobs', '--subscription', 'audit', 'x'], /Nonexistent flag: --subscription/],
    ] as const) {
      const result = await qjob([...args])
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`)
      assert.match(result.stderr, message)
    }
    const missing = await qjob(['peek', '--topic', 'jobs', '--subscription', 'nosuch'])
    assert.equal(missing.code, 3, missing.stderr)
    assert.match(missing.stderr, /subscription "nosuch" of topic "jobs" was not found/)
    const noTopic = await qjob(['send', '--topic', 'nosuch', 'x'])
    assert.equal(noTopic.code, 3, noTopic.stderr)
    assert.match(noTopic.stderr, /topic "nosuch" was not found/)
  })
})

describe('autoscale on a subscription', () => {
  it("--once --dry-run reads the subscription's active count", async () => {
    const fx = await startAutoscaleFixture()
    try {
      const env = fx.heroku.env({SERVICEBUS_CONNECTION_STRING: fx.servicebus.connectionString})
      const qjob = (args: string[]) => fx.heroku.qjob(args, {env})
      assert.equal((await qjob(['topic', 'create', 'work'])).code, 0)
      assert.equal((await qjob(['subscription', 'create', 'w', '--topic', 'work'])).code, 0)
      assert.equal((await qjob(['send', '--topic', 'work', '--count', '120', 'x'])).code, 0)
      const result = await qjob([
        'autoscale',
        '--topic',
        'work',
        '--subscription',
        'w',
        '--max',
        '10',
        '--per-worker',
        '50',
        '--once',
        '--dry-run',
      ])
      assert.equal(result.code, 0, result.stderr)
      assert.match(result.stdout, /active=120 .*desired=3 action=dry-run/)
    } finally {
      await fx.close()
    }
  })
})
