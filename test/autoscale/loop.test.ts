// The autoscale loop in-process against both emulators, over the wire (ATOM counts from the
// Service Bus emulator, formation on the local Platform API running real processes), with a fast
// clock: each sleep moves the clock by the interval at once and runs the test's next step.
import assert from 'node:assert/strict'
import {after, before, beforeEach, describe, it} from 'node:test'

import type {AutoscaleConfig} from '../../src/lib/autoscale/decide.js'
import {
  runAutoscaler,
  type AutoscaleEvent,
  type AutoscaleSummary,
  type DecisionEvent,
  type FailureEvent,
} from '../../src/lib/autoscale/loop.js'
import {herokuFormation, queueCounts, type CountsSource} from '../../src/lib/autoscale/sources.js'
import {APP_NAME} from '../heroku/helpers/local-heroku.js'
import {startAutoscaleFixture, type AutoscaleFixture} from './helpers.js'

const INTERVAL = 30_000
const BASE: AutoscaleConfig = {
  min: 0,
  max: 10,
  perWorker: 50,
  activation: 0,
  upCooldownMs: 60_000,
  downCooldownMs: 300_000,
  jobsPerWorker: 1,
}

interface Run {
  summary: AutoscaleSummary
  events: AutoscaleEvent[]
  decisions: DecisionEvent[]
  failures: FailureEvent[]
  sleeps: number[]
}

/** Runs the loop for `ticks` decisions; `steps[i]` runs after decision i (before the next one). */
async function runLoop(
  fx: AutoscaleFixture,
  options: {
    config?: Partial<AutoscaleConfig>
    ticks: number
    steps?: Record<number, () => Promise<void> | void>
    counts?: CountsSource
    retry?: {maxAttempts?: number}
    queue?: string
  },
): Promise<Run> {
  let now = Date.now()
  const events: AutoscaleEvent[] = []
  const sleeps: number[] = []
  const summary = await runAutoscaler({
    queue: options.queue ?? fx.queue,
    type: 'worker',
    config: {...BASE, ...options.config},
    intervalMs: INTERVAL,
    counts: options.counts ?? queueCounts(fx.backend, options.queue ?? fx.queue),
    formation: herokuFormation(fx.api(options.retry), APP_NAME, 'worker'),
    emit: event => events.push(event),
    maxTicks: options.ticks,
    clock: () => now,
    async sleep(ms) {
      await options.steps?.[sleeps.length]?.()
      sleeps.push(ms)
      now += ms
    },
  })
  return {
    summary,
    events,
    sleeps,
    decisions: events.filter((event): event is DecisionEvent => event.event === 'decision'),
    failures: events.filter((event): event is FailureEvent => event.event === 'error'),
  }
}

/** Polls a condition on in-process state (dyno processes start and stop on their own schedule). */
async function until(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 25))
  }
}

const steps = (run: Run) => run.decisions.map(decision => [decision.desired, decision.rule, decision.action])

describe('autoscale loop against both emulators', () => {
  let fx: AutoscaleFixture

  before(async () => {
    fx = await startAutoscaleFixture()
  })
  after(async () => {
    await fx.close()
  })
  beforeEach(async () => {
    fx.heroku.emulator.faults.clear()
    await fx.drain()
    await fx.api().patch(`/apps/${APP_NAME}/formation/worker`, {body: {quantity: 0, dyno_size: {name: 'Standard-1X'}}})
    await until('no worker processes', () => fx.processes() === 0)
  })

  it('scales up under load, holds through the down-cooldown, then scales to zero', async () => {
    await fx.send(120)
    let processesAfterScaleUp = -1
    const run = await runLoop(fx, {
      ticks: 11,
      config: {downCooldownMs: 300_000},
      steps: {
        async 0() {
          await until(
            'three worker processes up',
            () => fx.heroku.emulator.store.dynoList('worker').filter(dyno => dyno.state === 'up').length === 3,
          )
          processesAfterScaleUp = fx.processes()
          assert.equal(await fx.drain(), 120)
        },
      },
    })
    assert.deepEqual(run.failures, [])
    assert.equal(processesAfterScaleUp, 3)
    const first = run.decisions[0]
    assert.deepEqual(
      [first.counts.active, first.current, first.target, first.desired, first.rule, first.action],
      [120, 0, 3, 3, 'target', 'scaled'],
    )
    // 30 s .. 270 s after the scale-up: held; at 300 s: down to zero.
    assert.deepEqual(
      steps(run).slice(1, 10),
      Array.from({length: 9}, () => [3, 'down-cooldown', 'hold']),
    )
    assert.deepEqual(
      run.decisions.slice(1, 10).map(decision => decision.waitMs),
      [270, 240, 210, 180, 150, 120, 90, 60, 30].map(s => s * 1000),
    )
    assert.deepEqual(steps(run)[10], [0, 'target', 'scaled'])
    assert.equal(fx.quantity(), 0)
    await until('worker processes stopped', () => fx.processes() === 0)
    assert.deepEqual(fx.heroku.violations, [])
  })

  it('stays at zero until the queue passes the activation threshold', async () => {
    await fx.send(5)
    const run = await runLoop(fx, {ticks: 3, config: {activation: 10}, steps: {0: () => fx.send(5), 1: () => fx.send(1)}})
    assert.deepEqual(
      run.decisions.map(decision => decision.counts.active),
      [5, 10, 11],
    )
    assert.deepEqual(steps(run), [
      [0, 'activation', 'hold'],
      [0, 'activation', 'hold'],
      [1, 'target', 'scaled'],
    ])
    assert.equal(fx.quantity(), 1)
  })

  it('moves at most --max-step at a time and waits the up-cooldown between steps', async () => {
    await fx.send(500)
    const run = await runLoop(fx, {ticks: 5, config: {maxStep: 2, max: 7}})
    assert.deepEqual(steps(run), [
      [2, 'max-step', 'scaled'],
      [2, 'up-cooldown', 'hold'],
      [4, 'max-step', 'scaled'],
      [4, 'up-cooldown', 'hold'],
      [6, 'max-step', 'scaled'],
    ])
    assert.equal(fx.quantity(), 6)
    await until('six worker processes', () => fx.processes() === 6)
  })

  it('survives a 429 storm: reports the rate limit, backs off, then scales', async () => {
    await fx.send(120)
    const {faults} = fx.heroku.emulator
    faults.inject({status: 429, method: 'GET', path: '/formation/worker', count: 3})
    faults.inject({status: 429, method: 'PATCH', path: '/formation/worker', count: 5})
    const run = await runLoop(fx, {ticks: 3, retry: {maxAttempts: 3}})
    // Tick 0: the read gives up after 3 tries; tick 1: the scale gives up after 3; tick 2: two
    // more 429s on the scale, the client's third try goes through.
    assert.deepEqual(
      run.failures.map(failure => [failure.stage, failure.kind]),
      [
        ['read', 'rate-limit'],
        ['scale', 'rate-limit'],
      ],
    )
    assert.match(run.failures[0].message, /rate limit/i)
    assert.match(run.failures[0].hint ?? '', /backs off/)
    assert.deepEqual(run.sleeps, [2 * INTERVAL, 4 * INTERVAL], 'each rate limit doubles the wait')
    assert.deepEqual(
      run.decisions.map(decision => decision.action),
      ['failed', 'scaled'],
    )
    assert.equal(faults.injected, 8)
    const patches = fx.heroku.exchanges.filter(exchange => exchange.method === 'PATCH' && exchange.path.endsWith('/formation/worker'))
    assert.equal(patches.filter(exchange => exchange.status === 429).length, 5)
    assert.equal(fx.quantity(), 3)
    assert.deepEqual(fx.heroku.violations, [])
  })

  it('a refused quantity (tier limit) is reported once, then the formation stays within it', async () => {
    await fx.api().patch(`/apps/${APP_NAME}/formation/worker`, {body: {dyno_size: {name: 'Basic'}}})
    await fx.send(200)
    const exchangesBefore = fx.heroku.exchanges.length
    const run = await runLoop(fx, {ticks: 3})
    assert.deepEqual(
      run.failures.map(failure => [failure.stage, failure.kind]),
      [['scale', 'tier-limit']],
    )
    assert.match(run.failures[0].message, /more than 1 Basic/)
    assert.deepEqual(steps(run), [
      [4, 'target', 'failed'],
      [1, 'tier-limit', 'scaled'],
      [1, 'tier-limit', 'hold'],
    ])
    const refused = fx.heroku.exchanges.slice(exchangesBefore).filter(exchange => exchange.status === 422)
    assert.equal(refused.length, 1, 'asked once')
    assert.equal(fx.quantity(), 1)
  })

  it('a failed read is logged and tried again next interval', async () => {
    const run = await runLoop(fx, {ticks: 2, queue: 'later', steps: {0: async () => void (await fx.backend.createQueue('later', {}))}})
    assert.deepEqual(
      run.failures.map(failure => [failure.stage, failure.kind]),
      [['read', 'failed']],
    )
    assert.match(run.failures[0].message, /later/)
    assert.deepEqual(run.sleeps, [INTERVAL])
    assert.deepEqual(steps(run), [[0, 'target', 'hold']])
    await fx.backend.deleteQueue('later')
  })

  it('never scales below the workers holding locked messages (emulator lock count)', async () => {
    await fx.api().patch(`/apps/${APP_NAME}/formation/worker`, {body: {quantity: 3}})
    await fx.send(3)
    const {messages, receiver} = await fx.lock(3)
    // The ATOM counts carry no lock count; here the emulator's own count stands in for one that does.
    const atom = queueCounts(fx.backend, fx.queue)
    const counts: CountsSource = {
      read: async () => ({...(await atom.read()), locked: fx.servicebus.broker.runtimeCounts(fx.queue).lockedMessageCount}),
    }
    const run = await runLoop(fx, {
      ticks: 2,
      counts,
      config: {downCooldownMs: 0},
      steps: {0: () => Promise.all(messages.slice(0, 2).map(message => receiver.completeMessage(message))).then(() => undefined)},
    })
    assert.deepEqual(
      run.decisions.map(decision => [decision.counts.active, decision.counts.locked]),
      [
        [3, 3],
        [1, 1],
      ],
    )
    assert.deepEqual(steps(run), [
      [3, 'locked', 'hold'],
      [1, 'target', 'scaled'],
    ])
    assert.equal(fx.quantity(), 1)
    await receiver.completeMessage(messages[2])
  })
})
