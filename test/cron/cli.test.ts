// qjob cron through bin/run.js against both emulators: bad input (nothing scheduled), the schedule
// commands, missed windows with and without --catch-up, pause/resume, --overlap skip with a
// long-running one-off dyno, junk in the control queue, and kill -9 of the replica holding a tick.
import assert from 'node:assert/strict'
import {createServer, type Socket} from 'node:net'
import {once} from 'node:events'
import {after, before, describe, it} from 'node:test'

import {ndjson} from '../messaging/helpers.js'
import {CONTROL, JOBS, startCronFixture, type CronFixture} from './helpers.js'

/** Resolves once the wall clock has passed `time` (the tests need a tick to be late). */
function until(time: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, Math.max(0, time - Date.now())))
}

describe('qjob cron (CLI)', () => {
  let fx: CronFixture
  const counts = (queue = CONTROL) => fx.servicebus.broker.runtimeCounts(queue)
  const ticks = () => counts().scheduledMessageCount + counts().activeMessageCount
  const json = <T>(text: string) => JSON.parse(text) as T

  before(async () => {
    fx = await startCronFixture()
  })
  after(async () => {
    await fx.close()
    assert.deepEqual(fx.heroku.leaks, [], 'the API token is never printed')
    assert.deepEqual(fx.heroku.violations, [])
  })

  it('bad input: exit 2 (or 4) with the reason, nothing scheduled', async () => {
    const cases: Array<[string[], number, RegExp, NodeJS.ProcessEnv?]> = [
      [
        ['--schedule', '0 7 * * 8', '--run-once', 'x'],
        2,
        /invalid cron expression "0 7 \* \* 8" at position 9 \(field 5, dayOfWeek: "8"\)/,
      ],
      [['--schedule', '0 7 * *', '--run-once', 'x'], 2, /4 fields, expected 5/],
      [['--schedule', '0 7 * * *', '--timezone', 'Europe/Atlantis', '--run-once', 'x'], 2, /unknown time zone "Europe\/Atlantis"/],
      [['--every', 'often', '--run-once', 'x'], 2, /invalid interval "often"/],
      [['--every', '1m'], 2, /give one action/],
      [['--every', '1m', '--run-once', 'x', '--send', 'y', '-q', JOBS], 2, /give one action/],
      [['--every', '1m', '--send', 'y'], 2, /Pass -q QUEUE/],
      [['--every', '1m', '--scale', 'worker+1'], 2, /TYPE=N/],
      [['--every', '1m', '--run-once', 'x', '--ttl', '2d'], 2, /--ttl 172800 is out of range/],
      [['--every', '1m', '--run-once', 'x'], 2, /no Heroku app given/, {HEROKU_APP: ''}],
      [['--every', '1m', '--run-once', 'x'], 4, /no Heroku API token/, {HEROKU_API_KEY: ''}],
    ]
    for (const [args, code, pattern, env] of cases) {
      const result = await fx.qjob(['cron', 'add', 'bad', ...args], env)
      assert.equal(result.code, code, `${args.join(' ')}: ${result.stderr}`)
      assert.match(result.stderr, pattern, args.join(' '))
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace')
    }
    assert.equal(ticks(), 0, 'nothing scheduled')
    const name = await fx.qjob(['cron', 'add', 'no spaces', '--every', '1m', '--send', 'x', '-q', JOBS])
    assert.equal(name.code, 2)
    assert.match(name.stderr, /invalid schedule name/)
  })

  it('--dry-run prints the next five fire times and schedules nothing', async () => {
    const result = await fx.qjob([
      'cron',
      'add',
      'report',
      '--schedule',
      '30 2 * * *',
      '--timezone',
      'Europe/Berlin',
      '--run-once',
      'node report.js',
      '--dry-run',
      '--json',
    ])
    assert.equal(result.code, 0, result.stderr)
    const {nextFireTimes} = json<{nextFireTimes: string[]}>(result.stdout)
    assert.equal(nextFireTimes.length, 5)
    assert.ok(
      nextFireTimes.every(time => /T0[01]:30:00\.000Z$/.test(time)),
      nextFireTimes.join(' '),
    )
    assert.equal(ticks(), 0)
  })

  it('add, list, show, an existing name, pause/resume, trigger, remove', async () => {
    const add = await fx.qjob(['cron', 'add', 'nightly', '--schedule', '0 3 * * *', '--send', '{"job":"nightly"}', '-q', JOBS])
    assert.equal(add.code, 0, add.stderr)
    assert.match(add.stdout, /Added nightly \(0 3 \* \* \*, send to jobs\); next run \d{4}-\d\d-\d\dT03:00:00.000Z/)
    const again = await fx.qjob(['cron', 'add', 'nightly', '--schedule', '0 4 * * *', '--send', 'x', '-q', JOBS])
    assert.equal(again.code, 1)
    assert.match(again.stderr, /a schedule named "nightly" exists[\s\S]*--replace/)
    const replaced = await fx.qjob([
      'cron',
      'add',
      'nightly',
      '--schedule',
      '0 4 * * *',
      '--send',
      '{"job":"nightly"}',
      '-q',
      JOBS,
      '--replace',
      '--json',
    ])
    assert.equal(replaced.code, 0, replaced.stderr)
    assert.match(json<{nextRun: string}>(replaced.stdout).nextRun, /T04:00:00.000Z$/)
    assert.equal(ticks(), 1, 'the replaced tick is cancelled')

    const list = await fx.qjob(['cron', 'list'])
    assert.equal(list.code, 0, list.stderr)
    assert.match(list.stdout, /NAME\s+SCHEDULE\s+ACTION\s+NEXT RUN\s+LAST OUTCOME/)
    assert.match(list.stdout, /nightly\s+0 4 \* \* \*\s+send to jobs\s+\S+T04:00:00.000Z\s+-/)

    const paused = await fx.qjob(['cron', 'pause', 'nightly'])
    assert.equal(paused.code, 0, paused.stderr)
    const listed = ndjson((await fx.qjob(['cron', 'list', '--ndjson'])).stdout)
    assert.equal(listed.length, 1)
    assert.equal(listed[0].paused, true)
    assert.equal(listed[0].nextRun, undefined)
    const resumed = await fx.qjob(['cron', 'resume', 'nightly', '--json'])
    assert.equal(resumed.code, 0, resumed.stderr)
    assert.equal(json<{paused: boolean}>(resumed.stdout).paused, false)

    const trigger = await fx.qjob(['cron', 'trigger', 'nightly', '--json'])
    assert.equal(trigger.code, 0, trigger.stderr)
    const outcome = json<{status: string; trigger: boolean; messageId: string}>(trigger.stdout)
    assert.equal(outcome.status, 'ok')
    assert.equal(outcome.trigger, true)
    assert.equal(counts(JOBS).activeMessageCount, 1, 'the message was sent')
    const shown = json<{history: Array<{status: string; trigger?: boolean}>; nextRun: string}>(
      (await fx.qjob(['cron', 'show', 'nightly', '--json'])).stdout,
    )
    assert.deepEqual(
      shown.history.map(entry => [entry.status, entry.trigger]),
      [['ok', true]],
    )
    assert.match(shown.nextRun, /T04:00:00.000Z$/, 'a trigger leaves the next run as it was')
    const text = await fx.qjob(['cron', 'show', 'nightly'])
    assert.match(text.stdout, /FIRE TIME\s+HANDLED AT\s+OUTCOME/)

    const missing = await fx.qjob(['cron', 'show', 'nope'])
    assert.equal(missing.code, 3)
    assert.match(missing.stderr, /no schedule named "nope"/)
    const refused = await fx.qjob(['cron', 'remove', 'nightly'])
    assert.equal(refused.code, 2, 'no --yes, no terminal')
    const removed = await fx.qjob(['cron', 'remove', 'nightly', '--yes'])
    assert.equal(removed.code, 0, removed.stderr)
    assert.equal(ticks(), 0)
    assert.match((await fx.qjob(['cron', 'list'])).stdout, /No schedules/)
    await fx.client.createReceiver(JOBS, {receiveMode: 'receiveAndDelete'}).receiveMessages(10, {maxWaitTimeInMs: 500})
  })

  it('a missed window: recorded as missed and not fired; with --catch-up, fired once', async () => {
    const addMissed = await fx.qjob([
      'cron',
      'add',
      'late',
      '--every',
      '2s',
      '--starting-deadline',
      '1s',
      '--send',
      'late',
      '-q',
      JOBS,
      '--json',
    ])
    const addCatchUp = await fx.qjob([
      'cron',
      'add',
      'eager',
      '--every',
      '2s',
      '--starting-deadline',
      '1s',
      '--catch-up',
      '--send',
      'eager',
      '-q',
      JOBS,
      '--json',
    ])
    assert.equal(addMissed.code, 0, addMissed.stderr)
    assert.equal(addCatchUp.code, 0, addCatchUp.stderr)
    const due = Math.max(
      Date.parse(json<{nextRun: string}>(addMissed.stdout).nextRun),
      Date.parse(json<{nextRun: string}>(addCatchUp.stdout).nextRun),
    )
    // No scheduler runs until both ticks are more than the deadline late.
    await until(due + 2500)
    const tick = await fx.qjob(['cron', 'tick', '--json'])
    assert.equal(tick.code, 0, tick.stderr)
    const events = ndjson(tick.stdout) as Array<{
      event: string
      name: string
      outcome: {status: string; fireTime: string; messageId?: string}
    }>
    const late = events.filter(event => event.name === 'late')
    const eager = events.filter(event => event.name === 'eager')
    assert.deepEqual(
      late.map(event => event.outcome.status),
      ['missed'],
      tick.stdout,
    )
    assert.deepEqual(
      eager.map(event => event.outcome.status),
      ['ok'],
      tick.stdout,
    )
    const receiver = fx.client.createReceiver(JOBS, {receiveMode: 'receiveAndDelete'})
    const messages = await receiver.receiveMessages(10, {maxWaitTimeInMs: 1000})
    await receiver.close()
    assert.deepEqual(
      messages.map(message => message.messageId),
      [`eager@${eager[0].outcome.fireTime}`],
      'the catch-up fired once, with the fire time as message id',
    )
    const list = json<Array<{name: string; lastOutcome: {status: string; reason?: string; at: string}; nextRun: string}>>(
      (await fx.qjob(['cron', 'list', '--json'])).stdout,
    )
    const lateView = list.find(view => view.name === 'late')!
    assert.equal(lateView.lastOutcome.status, 'missed')
    assert.match(lateView.lastOutcome.reason ?? '', /after the starting deadline/)
    assert.ok(
      Date.parse(lateView.nextRun) > Date.parse(lateView.lastOutcome.at),
      'the next run is after the time it was handled, not a missed window',
    )
    // By now their next ticks are due (no scheduler runs): remove cannot cancel a due tick, so it
    // leaves a tombstone that makes it stale; the next scheduler drops both, firing nothing.
    await until(Date.parse(lateView.nextRun) + 500)
    for (const name of ['late', 'eager']) assert.equal((await fx.qjob(['cron', 'remove', name, '--yes'])).code, 0)
    assert.match((await fx.qjob(['cron', 'list'])).stdout, /No schedules/)
    const drop = await fx.qjob(['cron', 'tick', '--json'])
    assert.equal(drop.code, 0, drop.stderr)
    assert.deepEqual(
      ndjson(drop.stdout).filter(event => event.event === 'fired'),
      [],
      'a removed schedule never fires',
    )
    assert.equal(ticks(), 0)
    assert.equal(counts(JOBS).activeMessageCount, 0)
  })

  it('--overlap skip with a long-running one-off dyno; junk in the control queue is dead-lettered and the loop goes on', async () => {
    const replica = fx.replica()
    await replica.waitFor(event => event.event === 'started')
    const add = await fx.qjob(['cron', 'add', 'long', '--every', '2s', '--run-once', 'sleep 60'])
    assert.equal(add.code, 0, add.stderr)
    const first = await replica.waitFor(event => event.name === 'long' && event.outcome?.status === 'ok')
    const sender = fx.client.createSender(CONTROL)
    await sender.sendMessages({body: 'not a schedule', messageId: 'junk-1'})
    await sender.close()
    const junk = await replica.waitFor(event => event.event === 'dead-lettered')
    assert.match(junk.reason ?? '', /not a qjob cron tick/)
    const skipped = await replica.waitFor(event => event.name === 'long' && event.outcome?.status === 'skipped')
    assert.match(
      skipped.outcome?.reason ?? '',
      new RegExp(`the previous run ${first.outcome!.dyno!.replace('.', '\\.')} is still (up|starting)`),
    )
    await replica.stop()
    assert.equal(counts().deadLetterMessageCount, 1)
    const dead = await fx.client
      .createReceiver(CONTROL, {subQueueType: 'deadLetter', receiveMode: 'receiveAndDelete'})
      .receiveMessages(1, {maxWaitTimeInMs: 1000})
    assert.equal(dead[0].deadLetterReason, 'InvalidCronTick')
    const oks = replica.events.filter(event => event.name === 'long' && event.outcome?.status === 'ok')
    assert.equal(oks.length, 1, 'one dyno while the first is up')
    const list = json<Array<{name: string; lastOutcome: {status: string}}>>((await fx.qjob(['cron', 'list', '--json'])).stdout)
    assert.equal(list.find(view => view.name === 'long')?.lastOutcome.status, 'skipped')
    assert.equal((await fx.qjob(['cron', 'remove', 'long', '--yes'])).code, 0)
  })

  it('kill -9 of the replica holding a tick: the other replica fires it, once', async () => {
    // Replica A's Platform API is a socket that never answers: it locks the tick, asks for the
    // previous run's dyno (the overlap check, before anything is written) and hangs there.
    const sockets: Socket[] = []
    const blackHole = createServer(socket => sockets.push(socket))
    blackHole.listen(0, '127.0.0.1')
    await once(blackHole, 'listening')
    const port = (blackHole.address() as {port: number}).port
    const connected = once(blackHole, 'connection')

    const add = await fx.qjob(['cron', 'add', 'once', '--every', '3s', '--run-once', 'echo once'])
    assert.equal(add.code, 0, add.stderr)
    const trigger = await fx.qjob(['cron', 'trigger', 'once', '--json'])
    assert.equal(trigger.code, 0, trigger.stderr)
    const before = fx.dynoCreates()
    const a = fx.replica([], {HEROKU_API_URL: `https://127.0.0.1:${port}`})
    await connected
    a.child.kill('SIGKILL')
    await a.stop()
    const held = a.events.filter(event => event.event === 'fired')
    assert.deepEqual(held, [], 'A fired nothing')

    const b = fx.replica()
    const fired = await b.waitFor(event => event.name === 'once' && event.outcome?.status === 'ok', 40_000)
    await b.stop()
    blackHole.close()
    for (const socket of sockets) socket.destroy()
    const fireTimes = b.events.filter(event => event.name === 'once' && event.event === 'fired').map(event => event.outcome!.fireTime)
    assert.equal(new Set(fireTimes).size, fireTimes.length)
    assert.equal(fx.dynoCreates() - before, fireTimes.length, 'one dyno per fire time, none for A')
    const shown = json<{history: Array<{fireTime: string; status: string}>}>((await fx.qjob(['cron', 'show', 'once', '--json'])).stdout)
    const first = shown.history.find(entry => entry.fireTime === fired.outcome!.fireTime)
    assert.equal(first?.status, 'ok')
    assert.equal(shown.history.filter(entry => entry.fireTime === fired.outcome!.fireTime).length, 1, 'recorded once')
    assert.ok((fired.outcome!.lateMs ?? 0) >= 0)
    assert.equal((await fx.qjob(['cron', 'remove', 'once', '--yes'])).code, 0)
  })
})
