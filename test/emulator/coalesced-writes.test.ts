// coalesceWrites: what rhea writes in one tick, frame by frame, leaves as one writev, in order;
// and nothing waits past the tick.
import assert from 'node:assert/strict'
import {Duplex} from 'node:stream'
import {test} from 'node:test'

import {coalesceWrites} from '../../src/emulator/servicebus/amqp/coalesced-writes.js'

function recordingSocket() {
  const calls: string[][] = []
  const socket = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      calls.push([String(chunk)])
      callback()
    },
    writev(chunks, callback) {
      calls.push(chunks.map(({chunk}) => String(chunk)))
      callback()
    },
  })
  return {socket, calls}
}

const nextTick = () => new Promise(resolve => process.nextTick(resolve))

test('writes in one tick reach the socket as one writev, in order; a later tick is a write of its own', async () => {
  const {socket, calls} = recordingSocket()
  coalesceWrites(socket)
  socket.write(Buffer.from('open'))
  socket.write(Buffer.from('begin'))
  socket.write(Buffer.from('attach'))
  assert.deepEqual(calls, [], 'nothing is written before the tick ends')
  await nextTick()
  assert.deepEqual(calls, [['open', 'begin', 'attach']])
  socket.write(Buffer.from('flow'))
  await nextTick()
  assert.deepEqual(calls, [['open', 'begin', 'attach'], ['flow']])
})

test('a write callback still fires, and end() after writes in the same tick sends them first', async () => {
  const {socket, calls} = recordingSocket()
  coalesceWrites(socket)
  let called = false
  socket.write(Buffer.from('close'), () => (called = true))
  socket.end()
  await new Promise(resolve => socket.once('finish', resolve))
  assert.equal(called, true)
  assert.deepEqual(calls.flat(), ['close'])
})
