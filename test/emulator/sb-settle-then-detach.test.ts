// A client that settles a peek-locked message and detaches its link at once (the SDK does this
// when a subscribe handler closes the subscription on its last message): both frames arrive in
// one read, and rhea dispatches the disposition after the detach. The settlement must still count.
import assert from 'node:assert/strict'
import {once} from 'node:events'
import {after, before, test} from 'node:test'

import type {EventContext} from 'rhea'

import {startTestEmulator, type TestEmulator} from './helpers.js'
import {closeConnection, openConnection, putToken} from './raw-amqp.js'

const KEY = 'detach-test-key-0123456789abcdefgh='
let t: TestEmulator
before(async () => {
  t = await startTestEmulator({policies: [{name: 'Root', key: KEY, rights: ['Manage', 'Send', 'Listen']}], queues: [{name: 'detach'}]})
})
after(() => t.stop())

test('a disposition sent right before the detach completes the message', async () => {
  await t.client.createSender('detach').sendMessages({body: 'settle me'})
  const connection = await openConnection({host: '127.0.0.1', port: t.emulator.port})
  try {
    assert.equal(await putToken(connection, t.emulator.endpoint, 'Root', KEY), 202)
    const receiver = connection.open_receiver({source: {address: 'detach'}, autoaccept: false, credit_window: 1})
    const [context] = (await once(receiver, 'message')) as [EventContext]
    const delivery = context.delivery!
    delivery.accept()
    receiver.close()
    await once(receiver, 'receiver_close')
    assert.equal(t.emulator.broker.runtimeCounts('detach').totalMessageCount, 0)
  } finally {
    await closeConnection(connection)
  }
})
