import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {colorLevel, formatTable, jsonReplacer} from '../src/lib/output.js'

describe('colorLevel', () => {
  it('is off when not a TTY', () => assert.equal(colorLevel({isTTY: false}, {}), 0))
  it('is on for a TTY', () => assert.ok(colorLevel({isTTY: true}, {}) > 0))
  it('honours NO_COLOR on a TTY', () => assert.equal(colorLevel({isTTY: true}, {NO_COLOR: '1'}), 0))
  it('honours FORCE_COLOR off a TTY', () => assert.equal(colorLevel({isTTY: false}, {FORCE_COLOR: '1'}), 1))
  it('FORCE_COLOR=0 turns colour off', () => assert.equal(colorLevel({isTTY: true}, {FORCE_COLOR: '0'}), 0))
  it('NO_COLOR wins over FORCE_COLOR', () => assert.equal(colorLevel({isTTY: true}, {NO_COLOR: '1', FORCE_COLOR: '3'}), 0))
})

describe('formatTable', () => {
  it('aligns columns, right-aligns numbers and truncates long cells', () => {
    const rows = [
      {name: 'jobs', count: 5, note: 'a\nb'},
      {name: 'emails-long', count: 1200, note: 'x'.repeat(30)},
    ]
    const text = formatTable(rows, [
      {header: 'NAME', get: row => row.name},
      {header: 'COUNT', get: row => row.count, align: 'right'},
      {header: 'NOTE', get: row => row.note, max: 10},
    ])
    assert.equal(text, ['NAME         COUNT  NOTE', 'jobs             5  a b', `emails-long   1200  ${'x'.repeat(9)}…`].join('\n'))
  })
})

describe('jsonReplacer', () => {
  it('turns every bigint into a decimal string, small or large: one lossless form', () => {
    assert.equal(JSON.stringify({a: 5n, b: 2n ** 60n}, jsonReplacer), '{"a":"5","b":"1152921504606846976"}')
  })
})
