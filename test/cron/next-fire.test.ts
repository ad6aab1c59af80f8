// The pure next-fire function: cron fields, seconds, nicknames, --every alignment, time zones and
// DST (a skipped wall time fires an hour on, a repeated one fires once), and bad input with positions.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {describeSchedule, nextFireTime, nextFireTimes, parseSchedule} from '../../src/lib/cron/next-fire.js'

const iso = (dates: Date[]) => dates.map(date => date.toISOString())

describe('next fire time', () => {
  it('5-field cron on weekdays at 07:00 Berlin, across the spring-forward weekend', () => {
    const spec = parseSchedule({schedule: '0 7 * * 1-5', timezone: 'Europe/Berlin'})
    // Friday 27 March 2026 is CET (UTC+1); Monday 30 March is CEST (UTC+2).
    assert.deepEqual(iso(nextFireTimes(spec, new Date('2026-03-27T00:00:00Z'), 3)), [
      '2026-03-27T06:00:00.000Z',
      '2026-03-30T05:00:00.000Z',
      '2026-03-31T05:00:00.000Z',
    ])
  })

  it('a wall time skipped by the spring-forward fires once, an hour on', () => {
    const spec = parseSchedule({schedule: '30 2 * * *', timezone: 'Europe/Berlin'})
    // 29 March 2026: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist.
    assert.deepEqual(iso(nextFireTimes(spec, new Date('2026-03-28T12:00:00Z'), 2)), [
      '2026-03-29T01:30:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ])
  })

  it('a wall time repeated by the fall-back fires once, not twice', () => {
    const spec = parseSchedule({schedule: '30 2 * * *', timezone: 'Europe/Berlin'})
    // 25 October 2026: 02:30 happens at 00:30Z (CEST) and again at 01:30Z (CET).
    const times = iso(nextFireTimes(spec, new Date('2026-10-24T12:00:00Z'), 2))
    assert.deepEqual(times, ['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z'])
  })

  it('hourly in New York over the fall-back: each wall time fires once (the repeated 01:00 hour does not fire again)', () => {
    const spec = parseSchedule({schedule: '0 * * * *', timezone: 'America/New_York'})
    // 1 November 2026: 01:00 EDT (05:00Z), then 01:00 EST (06:00Z) is the same wall time: no fire; 02:00 EST is 07:00Z.
    assert.deepEqual(iso(nextFireTimes(spec, new Date('2026-11-01T03:59:59Z'), 4)), [
      '2026-11-01T04:00:00.000Z',
      '2026-11-01T05:00:00.000Z',
      '2026-11-01T07:00:00.000Z',
      '2026-11-01T08:00:00.000Z',
    ])
    const day = nextFireTimes(spec, new Date('2026-11-01T03:59:59Z'), 30).filter(
      time => time.getTime() < Date.parse('2026-11-02T05:00:00Z'),
    )
    assert.equal(day.length, 24, 'a 25-hour day has 24 distinct wall-clock hours')
  })

  it('midnight daily in a zone follows its offset change', () => {
    const spec = parseSchedule({schedule: '@daily', timezone: 'Europe/Berlin'})
    assert.deepEqual(iso(nextFireTimes(spec, new Date('2026-03-28T00:00:00Z'), 2)), [
      '2026-03-28T23:00:00.000Z',
      '2026-03-29T22:00:00.000Z',
    ])
  })

  it('6 fields: seconds first; without a zone, UTC', () => {
    const spec = parseSchedule({schedule: '*/15 * * * * *'})
    assert.deepEqual(iso(nextFireTimes(spec, new Date('2026-01-01T00:00:07Z'), 3)), [
      '2026-01-01T00:00:15.000Z',
      '2026-01-01T00:00:30.000Z',
      '2026-01-01T00:00:45.000Z',
    ])
    assert.equal(
      nextFireTime(parseSchedule({schedule: '@hourly'}), new Date('2026-01-01T10:00:00Z'))?.toISOString(),
      '2026-01-01T11:00:00.000Z',
      'strictly after',
    )
  })

  it('--every is aligned on the interval, so every replica computes the same instants', () => {
    const spec = parseSchedule({every: '10m'})
    assert.deepEqual(spec, {everyMs: 600_000})
    assert.equal(nextFireTime(spec, new Date('2026-01-01T10:03:12.345Z'))?.toISOString(), '2026-01-01T10:10:00.000Z')
    assert.equal(nextFireTime(spec, new Date('2026-01-01T10:10:00.000Z'))?.toISOString(), '2026-01-01T10:20:00.000Z')
    assert.equal(describeSchedule(parseSchedule({every: '2s'})), 'every 2s')
  })

  it('bad expressions and zones: usage errors with the position of the error', () => {
    const cases: Array<[Parameters<typeof parseSchedule>[0], RegExp]> = [
      [{schedule: '0 7 * * 8'}, /at position 9 \(field 5, dayOfWeek: "8"\)/],
      [{schedule: '61 * * * *'}, /at position 1 \(field 1, minute: "61"\)/],
      [{schedule: '*/5 0 25 * * *'}, /at position 7 \(field 3, hour: "25"\)/],
      [{schedule: '0 7 * *'}, /4 fields, expected 5/],
      [{schedule: '0 0 0 1 1 * 2030'}, /7 fields/],
      [{schedule: '@sometimes'}, /invalid cron expression/],
      [{schedule: '* * * * *', timezone: 'Mars/Base'}, /unknown time zone "Mars\/Base"/],
      [{every: 'soon'}, /invalid interval "soon"/],
      [{every: '500ms'}, /at least 1s/],
      [{}, /give --schedule CRON or --every DURATION/],
      [{schedule: '* * * * *', every: '1m'}, /one of them/],
    ]
    for (const [input, pattern] of cases) {
      assert.throws(
        () => parseSchedule(input),
        (error: Error & {exitCode?: number}) => pattern.test(error.message) && error.exitCode === 2,
        JSON.stringify(input),
      )
    }
  })
})
