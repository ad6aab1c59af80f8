// SequenceMap: what the broker and the store index use instead of Map<number, message>.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {SequenceMap} from '../../src/emulator/servicebus/broker/sequence-map.js'

test('gets, sets and deletes like a Map, and counts its values', () => {
  const map = new SequenceMap<string>()
  assert.equal(map.get(1), undefined)
  assert.equal(map.has(1), false)
  map.set(1, 'a').set(2, 'b').set(70, 'c').set(2, 'B')
  assert.equal(map.size, 3)
  assert.equal(map.get(2), 'B')
  assert.equal(map.has(70), true)
  assert.equal(map.delete(2), true)
  assert.equal(map.delete(2), false)
  assert.equal(map.delete(999), false)
  assert.equal(map.size, 2)
  assert.deepEqual([...map.keys()], [1, 70])
  assert.deepEqual([...map.values()], ['a', 'c'])
})

test('keys and values come out in ascending order, whatever order they went in', () => {
  const map = new SequenceMap<number>()
  const numbers = [5000, 3, 129, 64, 63, 1_000_000_007, 2 ** 40 + 1, 65, 0]
  for (const n of numbers) map.set(n, n * 2)
  const sorted = [...numbers].sort((a, b) => a - b)
  assert.deepEqual([...map.keys()], sorted)
  assert.deepEqual(
    [...map.values()],
    sorted.map(n => n * 2),
  )
})

test('an emptied chunk is forgotten and can fill again; deleting while iterating skips what was deleted', () => {
  const map = new SequenceMap<number>()
  for (let n = 1; n <= 300; n++) map.set(n, n)
  for (let n = 1; n <= 200; n++) map.delete(n)
  assert.equal(map.size, 100)
  assert.equal(map.get(150), undefined)
  map.set(150, -1)
  assert.equal(map.get(150), -1)
  const seen: number[] = []
  for (const value of map.values()) {
    seen.push(value)
    if (value === -1) for (let n = 201; n <= 250; n++) map.delete(n)
  }
  assert.deepEqual(seen, [-1, ...Array.from({length: 50}, (_, i) => 251 + i)])
  assert.equal(map.size, 51)
})

test('a million values in order, like a restart of a full queue', () => {
  const map = new SequenceMap<{sequenceNumber: number}>()
  for (let n = 1; n <= 1_000_000; n++) map.set(n, {sequenceNumber: n})
  assert.equal(map.size, 1_000_000)
  assert.equal(map.get(777_777)?.sequenceNumber, 777_777)
  let expected = 1
  for (const value of map.values()) assert.equal(value.sequenceNumber, expected++)
  assert.equal(expected, 1_000_001)
})
