// The decision function, rule by rule: each case names the rule that must hold the quantity.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {decide, nextHistory, type AutoscaleConfig, type DecisionInput} from '../../src/lib/autoscale/decide.js'

const config: AutoscaleConfig = {
  min: 0,
  max: 10,
  perWorker: 50,
  activation: 0,
  upCooldownMs: 60_000,
  downCooldownMs: 300_000,
  jobsPerWorker: 1,
}
const NOW = 1_000_000_000

function run(overrides: {
  active?: number
  locked?: number
  current?: number
  config?: Partial<AutoscaleConfig>
  history?: DecisionInput['history']
}) {
  return decide({
    counts: {active: overrides.active ?? 0, locked: overrides.locked},
    current: overrides.current ?? 0,
    config: {...config, ...overrides.config},
    history: overrides.history ?? {},
    now: NOW,
  })
}

describe('autoscale decision', () => {
  it('targets ceil(active / per-worker)', () => {
    assert.deepEqual(
      [0, 1, 50, 51, 120].map(active => run({active, current: 1, history: {}}).desired),
      [0, 1, 1, 2, 3],
    )
    const decision = run({active: 120, current: 1})
    assert.equal(decision.rule, 'target')
    assert.equal(decision.direction, 'up')
  })

  it('stays at zero until more than --activation messages are active, and only from zero', () => {
    const quiet = run({active: 10, config: {activation: 10}})
    assert.deepEqual([quiet.desired, quiet.rule, quiet.direction], [0, 'activation', 'hold'])
    assert.equal(run({active: 11, config: {activation: 10}}).desired, 1)
    // Already running: the threshold does not apply, the workers drain what is left.
    const running = run({active: 5, current: 1, config: {activation: 10}})
    assert.deepEqual([running.desired, running.rule], [1, 'target'])
  })

  it('clamps to --min and --max', () => {
    assert.deepEqual(pick(run({active: 0, current: 2, config: {min: 2}})), [2, 'min'])
    assert.deepEqual(pick(run({active: 5000, current: 2})), [10, 'max'])
  })

  it('never asks for more than the platform accepted (tier limit)', () => {
    assert.deepEqual(pick(run({active: 500, current: 1, history: {ceiling: 1}})), [1, 'tier-limit'])
  })

  it('never scales below the workers busy with locked messages, and never up for them', () => {
    assert.deepEqual(pick(run({active: 3, locked: 3, current: 4})), [3, 'locked'])
    assert.deepEqual(pick(run({active: 3, locked: 3, current: 4, config: {jobsPerWorker: 2}})), [2, 'locked'])
    assert.deepEqual(pick(run({active: 3, locked: 3, current: 1})), [1, 'target'])
    assert.deepEqual(pick(run({active: 0, locked: undefined, current: 4})), [0, 'target'])
  })

  it('moves at most --max-step per decision', () => {
    assert.deepEqual(pick(run({active: 500, current: 0, config: {maxStep: 2}})), [2, 'max-step'])
    assert.deepEqual(pick(run({active: 0, current: 9, config: {maxStep: 3}})), [6, 'max-step'])
  })

  it('waits --up-cooldown after a scale-up', () => {
    const held = run({active: 500, current: 2, history: {lastUpAt: NOW - 20_000, lastChangeAt: NOW - 20_000}})
    assert.deepEqual([held.desired, held.rule, held.waitMs, held.direction], [2, 'up-cooldown', 40_000, 'hold'])
    assert.deepEqual(pick(run({active: 600, current: 2, history: {lastUpAt: NOW - 60_000}})), [10, 'max'])
    // A recent scale-down does not hold a scale-up.
    assert.deepEqual(pick(run({active: 450, current: 2, history: {lastChangeAt: NOW - 1000}})), [9, 'target'])
  })

  it('waits --down-cooldown after the last change and after the last load that needed the dynos', () => {
    const afterChange = run({active: 0, current: 3, history: {lastChangeAt: NOW - 100_000}})
    assert.deepEqual([afterChange.desired, afterChange.rule, afterChange.waitMs], [3, 'down-cooldown', 200_000])
    const afterLoad = run({active: 0, current: 3, history: {lastChangeAt: NOW - 900_000, busyAt: NOW - 299_999}})
    assert.deepEqual([afterLoad.desired, afterLoad.rule, afterLoad.waitMs], [3, 'down-cooldown', 1])
    assert.deepEqual(pick(run({active: 0, current: 3, history: {lastChangeAt: NOW - 900_000, busyAt: NOW - 300_000}})), [0, 'target'])
  })

  it('cooldowns apply after the step limit', () => {
    assert.deepEqual(pick(run({active: 0, current: 9, config: {maxStep: 3}, history: {busyAt: NOW - 1}})), [9, 'down-cooldown'])
  })

  it('records scale-ups, changes and load in the history', () => {
    const up = run({active: 120, current: 1})
    assert.deepEqual(nextHistory({}, up, NOW, true), {busyAt: NOW, lastChangeAt: NOW, lastUpAt: NOW})
    assert.deepEqual(nextHistory({}, up, NOW, false), {busyAt: NOW}, 'a dry run or failed scale changes nothing')
    const down = run({active: 0, current: 3})
    assert.deepEqual(nextHistory({lastUpAt: 5}, down, NOW, true), {lastUpAt: 5, lastChangeAt: NOW})
  })
})

function pick(decision: {desired: number; rule: string}): [number, string] {
  return [decision.desired, decision.rule]
}
