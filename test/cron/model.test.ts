// The tick model without a broker: what counts as a schedule in a tick body, which tick of a name
// is the live one (revisions, duplicates, the copy a peek sees of a tick that just came due,
// tombstones), and the history kept in the properties.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {
  type CronDefinition,
  HISTORY_LIMIT,
  parseDefinition,
  readState,
  stateProperties,
  TICK_KIND,
  withOutcome,
} from '../../src/lib/cron/definition.js'
import {liveTicks, supersedes, type Tick} from '../../src/lib/cron/store.js'

const definition: CronDefinition = {
  kind: TICK_KIND,
  name: 'beat',
  schedule: {everyMs: 2000},
  action: {type: 'run-once', command: 'echo'},
  overlap: 'skip',
  startingDeadlineMs: 300_000,
  catchUp: false,
  paused: false,
}

function tick(sequenceNumber: string, revision: number, state: Tick['state'] = 'scheduled', extra: Partial<CronDefinition> = {}): Tick {
  return {
    sequenceNumber,
    messageId: `beat@x#${revision}`,
    state,
    deliveryCount: 0,
    definition: {...definition, ...extra},
    tick: {fireTime: '2026-01-01T00:00:00.000Z', revision, history: []},
  }
}

describe('tick model', () => {
  it('a tick body is a schedule, or junk with a reason', () => {
    assert.ok('definition' in parseDefinition(Buffer.from(JSON.stringify(definition))))
    assert.deepEqual(parseDefinition(Buffer.from('not json')), {reason: 'the body is not JSON'})
    assert.deepEqual(parseDefinition('42'), {reason: 'the body is not a JSON object'})
    assert.match((parseDefinition({...definition, kind: 'other'}) as {reason: string}).reason, /not a qjob cron schedule/)
    assert.match((parseDefinition({...definition, action: {type: 'rm -rf'}}) as {reason: string}).reason, /no valid action/)
    assert.match((parseDefinition({...definition, schedule: {everyMs: 5}}) as {reason: string}).reason, /no cron expression or interval/)
  })

  it('the live tick: highest revision; of equal ones the due copy, then the first written; tombstones hide the name', () => {
    assert.ok(supersedes(tick('9', 3), tick('5', 2)))
    assert.ok(!supersedes(tick('5', 2), tick('9', 3)))
    assert.ok(supersedes(tick('5', 2, 'active'), tick('6', 2, 'active')), 'a duplicate written later loses')
    assert.ok(
      supersedes(tick('8', 2, 'active'), tick('4', 2, 'scheduled')),
      'the due copy beats the scheduled copy a peek saw a moment before',
    )
    assert.equal(liveTicks([tick('1', 1), tick('2', 4), tick('3', 2)]).get('beat')?.tick.revision, 4)
    assert.equal(liveTicks([tick('1', 1, 'active'), tick('2', 2, 'active', {removed: true})]).size, 0)
  })

  it('state round-trips through the properties; the history keeps the last 20', () => {
    let history = [] as ReturnType<typeof withOutcome>
    for (let i = 0; i < 25; i++) history = withOutcome(history, {fireTime: String(i), at: String(i), status: 'ok'})
    assert.equal(history.length, HISTORY_LIMIT)
    assert.equal(history[0].fireTime, '5')
    const state = readState(stateProperties('beat', {fireTime: 'F', revision: 7, history, lastDyno: 'run.1', firing: 'E#6'}))
    assert.deepEqual(state, {fireTime: 'F', revision: 7, history, lastDyno: 'run.1', firing: 'E#6'})
    assert.deepEqual(readState({}).history, [])
  })
})
