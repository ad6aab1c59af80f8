import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {formatDuration, formatIsoDuration, parseDuration, parseIsoDuration} from '../src/common/duration.js'
import {UsageError} from '../src/common/errors.js'

describe('ISO 8601 durations (what Azure reads and writes)', () => {
  it('reads days, hours, minutes and (fractional) seconds, in any case', () => {
    assert.equal(parseIsoDuration('PT30S'), 30_000)
    assert.equal(parseIsoDuration('PT0.5S'), 500)
    assert.equal(parseIsoDuration('P1DT2H'), 26 * 3_600_000)
    assert.equal(parseIsoDuration('P14D'), 14 * 86_400_000)
    assert.equal(parseIsoDuration(' pt1m30s '), 90_000)
    assert.equal(parseIsoDuration('P10675199DT2H48M5.4775807S'), 922_337_203_685_478, 'TimeSpan.MaxValue, to the nearest millisecond')
  })

  it('is NaN for what names no duration', () => {
    for (const bad of [undefined, '', 'P', 'PT', 'P1DT', '30s', 'soon', 'PT-1S'])
      assert.ok(Number.isNaN(parseIsoDuration(bad)), String(bad))
  })

  it('writes the shortest xs:duration, and reads back what it writes', () => {
    const cases: Array<[number, string]> = [
      [0, 'PT0S'],
      [500, 'PT0.5S'],
      [90_000, 'PT1M30S'],
      [3_600_000, 'PT1H'],
      [86_400_000, 'P1D'],
      [86_405_000, 'P1DT5S'],
      [26 * 3_600_000 + 1500, 'P1DT2H1.5S'],
      [922_337_203_685_477, 'P10675199DT2H48M5.477S'],
    ]
    for (const [ms, text] of cases) {
      assert.equal(formatIsoDuration(ms), text)
      assert.equal(parseIsoDuration(text), ms)
    }
    assert.equal(formatIsoDuration(59_999.6), 'PT1M', 'rounds to whole milliseconds first')
  })
})

describe('durations typed by people', () => {
  it('reads seconds, units, compact and spaced combinations, and ISO 8601', () => {
    assert.equal(parseDuration('90'), 90_000)
    assert.equal(parseDuration('1.5'), 1500)
    assert.equal(parseDuration('500ms'), 500)
    assert.equal(parseDuration('30s'), 30_000)
    assert.equal(parseDuration('10m'), 600_000)
    assert.equal(parseDuration('2H'), 7_200_000)
    assert.equal(parseDuration('1d'), 86_400_000)
    assert.equal(parseDuration('1h30m'), 5_400_000)
    assert.equal(parseDuration('1h 30m'), 5_400_000)
    assert.equal(parseDuration('PT5M'), 300_000)
  })

  it('reads back what formatDuration prints', () => {
    for (const ms of [0, 250, 1000, 59_000, 90_000, 5_400_000, 86_400_000 + 3_600_000 + 61_000]) {
      assert.equal(parseDuration(formatDuration(ms)), ms, formatDuration(ms))
    }
    assert.equal(formatDuration(5_400_000), '1h 30m')
    assert.equal(formatDuration(90_061_000), '1d 1h 1m 1s')
  })

  it('rejects anything else with a usage error that says what was wrong and how to write it', () => {
    for (const bad of ['', ' ', 'soon', '10 minutes', '1h,30m', 'P', '-5s', '5x']) {
      assert.throws(
        () => parseDuration(bad, '--wait'),
        (error: unknown) => error instanceof UsageError && error.message === `invalid --wait "${bad}"` && /1h30m/.test(error.hint ?? ''),
        bad,
      )
    }
  })
})
