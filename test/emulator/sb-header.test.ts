// The AMQP header a receiver gets is the one the sender sent (durable, priority, ttl and
// first-acquirer), with only delivery-count set by the broker. Raw rhea peers on both ends; the
// receiver grants credit in the same batch as its attach, so deliveries must wait for our attach.
import assert from 'node:assert/strict'
import {once} from 'node:events'
import {after, before, test} from 'node:test'

import type {EventContext, Message} from 'rhea'

import {startTestEmulator, type TestEmulator} from './helpers.js'
import {closeConnection, openConnection, putToken} from './raw-amqp.js'

const KEY = 'header-test-key-0123456789abcdefgh='
let t: TestEmulator
before(async () => {
  t = await startTestEmulator({policies: [{name: 'Root', key: KEY, rights: ['Manage', 'Send', 'Listen']}], queues: [{name: 'hdr'}]})
})
after(() => t.stop())

test("first-acquirer, priority and durable come back as sent; delivery-count is the broker's", async () => {
  const connection = await openConnection({host: '127.0.0.1', port: t.emulator.port})
  try {
    assert.equal(await putToken(connection, t.emulator.endpoint, 'Root', KEY), 202)
    const sender = connection.open_sender({target: {address: 'hdr'}})
    await once(sender, 'sendable')
    sender.send({body: 'set', message_id: 'a', first_acquirer: true, priority: 7, durable: false} as Message)
    sender.send({body: 'unset', message_id: 'b'} as Message)
    await new Promise<void>(resolve => {
      let accepted = 0
      sender.on('accepted', () => ++accepted === 2 && resolve())
    })
    const receiver = connection.open_receiver({source: {address: 'hdr'}, autoaccept: false, credit_window: 0})
    receiver.add_credit(2)
    const got: Message[] = []
    await new Promise<void>(resolve => {
      receiver.on('message', (context: EventContext) => {
        got.push(context.message!)
        context.delivery!.release({undeliverable_here: false, delivery_failed: true} as never)
        if (got.length === 2) resolve()
      })
    })
    const byBody = new Map(got.map(message => [message.body as string, message]))
    assert.deepEqual([byBody.get('set')!.first_acquirer, byBody.get('set')!.priority, byBody.get('set')!.durable], [true, 7, false])
    assert.equal(byBody.get('unset')!.first_acquirer ?? false, false)
    assert.equal(byBody.get('set')!.delivery_count ?? 0, 0)
  } finally {
    await closeConnection(connection)
  }
})
