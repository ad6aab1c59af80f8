import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {logfmt} from '../src/common/logfmt.js'

describe('logfmt', () => {
  it('writes key=value pairs in order, from an object or from pairs', () => {
    assert.equal(logfmt({at: 'job', id: 42, ok: true, ms: 1.5}), 'at=job id=42 ok=true ms=1.5')
    assert.equal(
      logfmt([
        ['b', 1],
        ['a', 2],
      ]),
      'b=1 a=2',
    )
  })

  it('leaves plain values bare: words, numbers, times, paths, addresses, arrows', () => {
    for (const value of ['web.1', '2026-12-01T10:00:00.000Z', 'a/b', 'user@example.com', 'v1+2', '->', 'dry-run', 'snake_case']) {
      assert.equal(logfmt({v: value}), `v=${value}`)
    }
  })

  it('quotes (as a JSON string) values with spaces, quotes, equals signs, commas or line breaks', () => {
    assert.equal(logfmt({message: 'took too long'}), 'message="took too long"')
    assert.equal(logfmt({message: 'say "hi"'}), 'message="say \\"hi\\""')
    assert.equal(logfmt({expr: 'a=b'}), 'expr="a=b"')
    assert.equal(logfmt({list: 'a,b'}), 'list="a,b"')
    assert.equal(logfmt({text: 'one\ntwo'}), 'text="one\\ntwo"')
  })

  it('leaves out undefined and empty values but keeps zero and false', () => {
    assert.equal(logfmt({a: undefined, b: '', c: 0, d: false}), 'c=0 d=false')
    assert.equal(
      logfmt([
        ['a', undefined],
        ['b', 'x'],
      ]),
      'b=x',
    )
  })
})
