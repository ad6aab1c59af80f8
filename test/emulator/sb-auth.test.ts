// SAS and $cbs with the real SDK: only valid, unexpired tokens of known policies get a link, and
// rights are enforced (Send to send, Listen to receive, Manage implies both).
import assert from 'node:assert/strict'
import {after, before, describe, test} from 'node:test'

import {createSasToken} from '../../src/emulator/servicebus/auth/sas-token.js'
import {connectionStringOf} from '../../src/emulator/servicebus/index.js'
import {rejectionOf, startTestEmulator, type TestEmulator} from './helpers.js'

const ROOT_KEY = 'root-key-0123456789abcdef'
let t: TestEmulator

before(async () => {
  t = await startTestEmulator({
    policies: [
      {name: 'Root', key: ROOT_KEY, rights: ['Manage', 'Listen', 'Send']},
      {name: 'listener', key: 'listen-key-0123456789', rights: ['Listen']},
      {name: 'sender', key: 'send-key-0123456789', secondaryKey: 'send-key-secondary-0123', rights: ['Send']},
    ],
    queues: [{name: 'jobs'}, {name: 'scoped', policies: [{name: 'worker', key: 'worker-key-0123456789', rights: ['Listen']}]}],
  })
})
after(() => t.stop())

const withKey = (name: string, key: string) => connectionStringOf(t.emulator.endpoint, name, key)

describe('SAS authorization', () => {
  test('the right key of each policy works within its rights', async () => {
    await t.clientFor(withKey('sender', 'send-key-0123456789')).createSender('jobs').sendMessages({body: 'from sender'})
    await t.clientFor(withKey('sender', 'send-key-secondary-0123')).createSender('jobs').sendMessages({body: 'secondary key'})
    const received = await t
      .clientFor(withKey('listener', 'listen-key-0123456789'))
      .createReceiver('jobs', {receiveMode: 'receiveAndDelete'})
      .receiveMessages(2, {maxWaitTimeInMs: 5000})
    assert.deepEqual(received.map(m => m.body).sort(), ['from sender', 'secondary key'])
  })

  test('a wrong key is refused with the SDK unauthorized error', async () => {
    const client = t.clientFor(withKey('Root', 'not-the-key-0123456789'))
    const error = await rejectionOf(client.createSender('jobs').sendMessages({body: 'x'}))
    assert.equal(error.code, 'UnauthorizedAccess')
    const unknown = await rejectionOf(t.clientFor(withKey('nobody', ROOT_KEY)).createSender('jobs').sendMessages({body: 'x'}))
    assert.equal(unknown.code, 'UnauthorizedAccess')
    assert.equal(t.emulator.broker.runtimeCounts('jobs').totalMessageCount, 0)
  })

  test('an expired token is refused', async () => {
    const expired = createSasToken(`${t.emulator.endpoint}/`, 'Root', ROOT_KEY, Math.floor(Date.now() / 1000) - 60)
    const client = t.clientFor(`Endpoint=${t.emulator.endpoint};SharedAccessSignature=${expired};UseDevelopmentEmulator=true`)
    const error = await rejectionOf(client.createSender('jobs').sendMessages({body: 'x'}))
    assert.equal(error.code, 'UnauthorizedAccess')

    const valid = createSasToken(`${t.emulator.endpoint}/`, 'Root', ROOT_KEY, Math.floor(Date.now() / 1000) + 600)
    const ok = t.clientFor(`Endpoint=${t.emulator.endpoint};SharedAccessSignature=${valid};UseDevelopmentEmulator=true`)
    await ok.createSender('jobs').sendMessages({body: 'namespace-wide token'})
    const [message] = await ok.createReceiver('jobs', {receiveMode: 'receiveAndDelete'}).receiveMessages(1, {maxWaitTimeInMs: 5000})
    assert.equal(message.body, 'namespace-wide token')
  })

  test('a Listen-only policy cannot send and a Send-only policy cannot receive', async () => {
    const listener = t.clientFor(withKey('listener', 'listen-key-0123456789'))
    const sendError = await rejectionOf(listener.createSender('jobs').sendMessages({body: 'x'}))
    assert.equal(sendError.code, 'UnauthorizedAccess')
    const sender = t.clientFor(withKey('sender', 'send-key-0123456789'))
    const receiveError = await rejectionOf(sender.createReceiver('jobs').receiveMessages(1, {maxWaitTimeInMs: 1000}))
    assert.equal(receiveError.code, 'UnauthorizedAccess')
    assert.equal(t.emulator.broker.runtimeCounts('jobs').totalMessageCount, 0)
  })

  test('a queue-level policy works on its queue only', async () => {
    await t.client.createSender('scoped').sendMessages({body: 'for the worker'})
    const worker = t.clientFor(t.emulator.connectionStringFor('worker', 'scoped'))
    const [message] = await worker.createReceiver('scoped', {receiveMode: 'receiveAndDelete'}).receiveMessages(1, {maxWaitTimeInMs: 5000})
    assert.equal(message.body, 'for the worker')
    const elsewhere = t.clientFor(withKey('worker', 'worker-key-0123456789'))
    const error = await rejectionOf(elsewhere.createReceiver('jobs').receiveMessages(1, {maxWaitTimeInMs: 1000}))
    assert.equal(error.code, 'UnauthorizedAccess')
  })
})
