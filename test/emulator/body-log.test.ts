// bodyLogs.read (store/body-log.ts): bodies read in order come from one read-ahead and are the
// bytes written; read-ahead never goes past the last durable byte, so bytes cut off by a failed
// write and written again are read as they are now; a read elsewhere reads only its body.
import assert from 'node:assert/strict'
import {closeSync, openSync, writeSync} from 'node:fs'
import {join} from 'node:path'
import {after, test} from 'node:test'

import {bodyLogs, HotBodies} from '../../src/emulator/servicebus/store/body-log.js'
import {tempDir} from '../helpers/cli.js'

const dir = tempDir('qjob-body-log-')
after(() => dir.cleanup())

/** A log file of `count` bodies of `size` bytes, body i filled with byte i. */
function logFile(name: string, count: number, size: number) {
  const fd = openSync(join(dir.path, name), 'w+')
  for (let i = 0; i < count; i++) writeSync(fd, Buffer.alloc(size, i), 0, size, i * size)
  return fd
}

test('bodies read in order are the bytes written, also past one read-ahead', () => {
  const size = 1000
  const count = 300 // 300 KB: more than one read-ahead
  const fd = logFile('in-order', count, size)
  const log = bodyLogs.register(fd, new HotBodies(1 << 20), () => count * size)
  const bodies = Array.from({length: count}, (_, i) => bodyLogs.read(log, i * size, size, i))
  for (const [i, body] of bodies.entries()) assert.deepEqual(body, Buffer.alloc(size, i), `body ${i}`)
  bodyLogs.unregister(log)
  closeSync(fd)
})

test('read-ahead stops at the last durable byte: bytes written again after it are read as they are now', () => {
  const size = 100
  const fd = logFile('rewritten', 40, size)
  let durable = 20 * size
  const log = bodyLogs.register(fd, new HotBodies(1 << 20), () => durable)
  for (let i = 0; i < 20; i++) assert.deepEqual(bodyLogs.read(log, i * size, size, i), Buffer.alloc(size, i))
  // A failed write is cut off and the next one puts other bytes at the same offsets.
  for (let i = 20; i < 40; i++) writeSync(fd, Buffer.alloc(size, 200), 0, size, i * size)
  durable = 40 * size
  for (let i = 20; i < 40; i++) assert.deepEqual(bodyLogs.read(log, i * size, size, i), Buffer.alloc(size, 200), `body ${i}`)
  bodyLogs.unregister(log)
  closeSync(fd)
})

test('bodies read out of order, and one read after its log is gone', () => {
  const size = 500
  const fd = logFile('random', 100, size)
  const log = bodyLogs.register(fd, new HotBodies(1 << 20), () => 100 * size)
  for (const i of [70, 3, 99, 4, 5, 50, 0]) assert.deepEqual(bodyLogs.read(log, i * size, size, i), Buffer.alloc(size, i), `body ${i}`)
  assert.throws(() => bodyLogs.read(log, 100 * size, size, 100), /the message log ends before the body of message 100/)
  bodyLogs.unregister(log)
  assert.throws(() => bodyLogs.read(log, 0, size, 0), /no longer in the message log/)
  closeSync(fd)
})
