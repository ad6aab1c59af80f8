// qjob cron run against both emulators: two replicas fire an --every 2s run-once schedule on each
// fire time exactly once, and each fire's outcome is recorded in the next tick.
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'

import {CONTROL, fires, startCronFixture, waitForAny, type CronFixture} from './helpers.js'

describe('qjob cron run (two replicas)', () => {
  let fx: CronFixture
  before(async () => {
    fx = await startCronFixture()
  })
  after(async () => {
    await fx.close()
    assert.deepEqual(fx.heroku.leaks, [], 'the API token is never printed')
    assert.deepEqual(fx.heroku.violations, [])
  })

  it('fires every fire time once, with two replicas, and records the outcomes', async () => {
    const replicas = [fx.replica(), fx.replica()]
    await Promise.all(replicas.map(replica => replica.waitFor(event => event.event === 'started')))
    const added = await fx.qjob(['cron', 'add', 'beat', '--every', '2s', '--run-once', 'echo beat', '--json'])
    assert.equal(added.code, 0, added.stderr)
    const first = (JSON.parse(added.stdout) as {nextRun: string}).nextRun
    const wanted = 5
    const target = new Date(Date.parse(first) + (wanted - 1) * 2000).toISOString()
    await waitForAny(replicas, event => event.event === 'fired' && event.outcome?.fireTime === target)
    await Promise.all(replicas.map(replica => replica.stop()))
    const beats = fires(replicas, 'beat')
    if (process.env.CRON_DEBUG_FILE)
      (await import('node:fs')).writeFileSync(
        process.env.CRON_DEBUG_FILE,
        JSON.stringify(
          replicas.map(replica => [replica.events, replica.stderr]),
          null,
          1,
        ),
      )
    const times = beats.map(event => event.outcome!.fireTime).sort()
    assert.equal(
      new Set(times).size,
      times.length,
      `no fire time twice: ${JSON.stringify(replicas.map(replica => [replica.events, replica.stderr]))}`,
    )
    assert.ok(times.length >= wanted, JSON.stringify(replicas.map(replica => [replica.events, replica.stderr])))
    for (let i = 0; i < times.length; i++)
      assert.equal(times[i], new Date(Date.parse(first) + i * 2000).toISOString(), 'no fire time skipped')
    assert.ok(
      beats.every(event => event.outcome!.status === 'ok' && /^run\.\d+$/.test(event.outcome!.dyno ?? '')),
      JSON.stringify(beats),
    )
    assert.equal(fx.dynoCreates(), times.length, 'one one-off dyno per fire')
    assert.equal(new Set(beats.map(event => event.outcome!.dyno)).size, times.length)

    const shown = await fx.qjob(['cron', 'show', 'beat', '--json'])
    assert.equal(shown.code, 0, shown.stderr)
    const view = JSON.parse(shown.stdout) as {history: Array<{fireTime: string; status: string; dyno: string}>; nextRun: string}
    assert.deepEqual(
      view.history.map(outcome => outcome.fireTime),
      times,
      'each outcome recorded once, in order',
    )
    assert.ok(Date.parse(view.nextRun) > Date.parse(times.at(-1)!))
    const ticks = fx.servicebus.broker.runtimeCounts(CONTROL)
    assert.equal(ticks.scheduledMessageCount + ticks.activeMessageCount, 1, 'one tick left for the schedule')
  })
})
