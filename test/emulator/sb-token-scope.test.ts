// Issue 17 items 8-10: what a key reaches. A token's audience is matched by entity, never as a
// path prefix; an entity's own rule covers that entity only; an expired token stops an open
// receiver; lock-token operations on X/$management act only on locks held on X.
import assert from 'node:assert/strict'
import {after, before, describe, test} from 'node:test'

import type {ServiceBusReceivedMessage} from '@azure/service-bus'

import {OPERATIONS} from '../../src/emulator/servicebus/amqp/management-operations.js'
import {createSasToken} from '../../src/emulator/servicebus/auth/sas-token.js'
import {BrokerError} from '../../src/emulator/servicebus/broker/broker-error.js'
import {rejectionOf, startTestEmulator, until, type TestEmulator} from './helpers.js'

const ROOT_KEY = 'root-key-0123456789abcdef'
const A_KEY = 'a-owner-key-0123456789'
let t: TestEmulator

before(async () => {
  t = await startTestEmulator({
    policies: [{name: 'Root', key: ROOT_KEY, rights: ['Manage', 'Listen', 'Send']}],
    queues: [
      {name: 'a', policies: [{name: 'a-owner', key: A_KEY, rights: ['Listen', 'Send']}]},
      {name: 'a/b'},
      {name: 'expiring'},
      {name: 'x', policies: [{name: 'x-reader', key: 'x-reader-key-0123456789', rights: ['Listen']}]},
      {name: 'y'},
    ],
  })
})
after(() => t.stop())

const seconds = (fromNow: number) => Math.floor(Date.now() / 1000) + fromNow
const sasClient = (token: string) =>
  t.clientFor(`Endpoint=${t.emulator.endpoint};SharedAccessSignature=${token};UseDevelopmentEmulator=true`)

describe('scope of credentials', () => {
  test("a token for queue a, signed with a's own rule, grants nothing on queue a/b", async () => {
    await t.client.createSender('a/b').sendMessages({body: 'not for a'})
    const token = createSasToken(`${t.emulator.endpoint}/a`, 'a-owner', A_KEY, seconds(600))
    const client = sasClient(token)
    const error = await rejectionOf(client.createReceiver('a/b').receiveMessages(1, {maxWaitTimeInMs: 2000}))
    assert.equal(error.code, 'UnauthorizedAccess', error.message)
    const sendError = await rejectionOf(client.createSender('a/b').sendMessages({body: 'x'}))
    assert.equal(sendError.code, 'UnauthorizedAccess', sendError.message)
    assert.equal(t.emulator.broker.runtimeCounts('a/b').lockedMessageCount, 0)
    // Its own queue and that queue's dead-letter sub-queue it does reach.
    await client.createSender('a').sendMessages({body: 'for a'})
    const [message] = await client.createReceiver('a', {receiveMode: 'receiveAndDelete'}).receiveMessages(1, {maxWaitTimeInMs: 5000})
    assert.equal(message.body, 'for a')
    await client.createReceiver('a', {subQueueType: 'deadLetter'}).peekMessages(1)
  })

  test('a namespace-rule token for one entity is matched exactly too; one for the namespace covers all', async () => {
    const forA = sasClient(createSasToken(`${t.emulator.endpoint}/a`, 'Root', ROOT_KEY, seconds(600)))
    const error = await rejectionOf(forA.createSender('a/b').sendMessages({body: 'x'}))
    assert.equal(error.code, 'UnauthorizedAccess', error.message)
    const forAll = sasClient(createSasToken(`${t.emulator.endpoint}/`, 'Root', ROOT_KEY, seconds(600)))
    await forAll.createSender('a/b').sendMessages({body: 'namespace token'})
  })

  test('an expired token detaches an open receiver with unauthorized-access', async () => {
    const client = sasClient(createSasToken(`${t.emulator.endpoint}/expiring`, 'Root', ROOT_KEY, seconds(4)))
    const receiver = client.createReceiver('expiring')
    await t.client.createSender('expiring').sendMessages({body: 'before expiry'})
    const entity = t.emulator.broker.queues.get('expiring')!.main
    const errors: Array<{code?: string}> = []
    const received: unknown[] = []
    const subscription = receiver.subscribe(
      {
        processMessage: async message => void received.push(message.body),
        processError: async ({error}) => void errors.push(error as {code?: string}),
      },
      {autoCompleteMessages: false},
    )
    try {
      await until(() => received.length === 1, 10_000, 'the message before expiry')
      await until(() => errors.some(error => error.code === 'UnauthorizedAccess'), 20_000, 'the receiver to be detached as unauthorized')
      await until(() => entity.consumers.length === 0, 10_000, 'no consumer left on the queue')
    } finally {
      await subscription.close()
    }
  })

  test('renew-lock on X/$management does not reach a lock held on Y', async () => {
    await t.client.createSender('y').sendMessages({body: 'locked on y'})
    const [onY] = await t.client.createReceiver('y').receiveMessages(1, {maxWaitTimeInMs: 5000})
    const xReader = t.clientFor(t.emulator.connectionStringFor('x-reader', 'x'))
    const xReceiver = xReader.createReceiver('x')
    const error = await rejectionOf(xReceiver.renewMessageLock(onY as ServiceBusReceivedMessage))
    assert.equal(error.code, 'MessageLockLost', error.message)
  })

  test('update-disposition on X/$management does not settle a lock held on Y', async () => {
    const {broker} = t.emulator
    await t.client.createSender('y').sendMessages({body: 'not to be dead-lettered from x'})
    const [onY] = await t.client.createReceiver('y').receiveMessages(1, {maxWaitTimeInMs: 5000})
    const disposition = OPERATIONS['com.microsoft:update-disposition']
    const body = {'disposition-status': 'suspended', 'lock-tokens': [onY.lockToken!], 'deadletter-reason': 'from x'}
    const refused = await rejectionOf(Promise.resolve().then(() => disposition.handle(broker, {path: 'x', body})))
    assert.ok(refused instanceof BrokerError && refused.code === 'MessageLockLost', refused.message)
    assert.equal(broker.runtimeCounts('y').deadLetterMessageCount, 0)
    assert.throws(
      () => OPERATIONS['com.microsoft:renew-lock'].handle(broker, {path: 'x/$DeadLetterQueue', body: {'lock-tokens': [onY.lockToken!]}}),
      /lock/,
    )
    // On its own entity it works.
    await disposition.handle(broker, {path: 'y', body: {'disposition-status': 'completed', 'lock-tokens': [onY.lockToken!]}})
    assert.equal(broker.runtimeCounts('y').activeMessageCount, 1, 'only the first message is left')
  })
})
