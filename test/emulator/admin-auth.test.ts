// SAS on the admin API: wrong keys and rights without Manage are refused with the SDK's
// UnauthorizedRequestError, and queue-level rules written through the admin API are honoured by
// the AMQP side at once.
import assert from 'node:assert/strict'
import {after, before, describe, test} from 'node:test'

import {ServiceBusClient} from '@azure/service-bus'

import {connectionStringOf, startServiceBusEmulator} from '../../src/emulator/servicebus/index.js'
import {tempDir} from '../helpers/cli.js'
import {adminClient, rawRequest, sasHeaderFor} from './admin-helpers.js'
import {FAST_FAIL, rejectionOf, startTestEmulator, type TestEmulator} from './helpers.js'

const ROOT = {keyName: 'Root', key: 'auth-root-key-0123456789'}
const LISTENER = {keyName: 'listener', key: 'auth-listen-key-0123456789'}
let t: TestEmulator

before(async () => {
  t = await startTestEmulator({
    policies: [
      {name: ROOT.keyName, key: ROOT.key, rights: ['Manage', 'Listen', 'Send']},
      {name: LISTENER.keyName, key: LISTENER.key, rights: ['Listen']},
    ],
    queues: [{name: 'existing'}],
  })
})
after(() => t.stop())

const withKey = (keyName: string, key: string, queue?: string) => connectionStringOf(t.emulator.endpoint, keyName, key, queue)
const statusOf = (error: unknown) => (error as {statusCode?: number}).statusCode

describe('admin API authorization', () => {
  test('a wrong key is refused with UnauthorizedRequestError and changes nothing', async () => {
    const wrong = adminClient(t.emulator, withKey(ROOT.keyName, 'not-the-key-0123456789'))
    const error = await rejectionOf(wrong.createQueue('sneaky'))
    assert.equal(error.code, 'UnauthorizedRequestError')
    assert.equal(statusOf(error), 401)
    assert.doesNotMatch(error.message, new RegExp(ROOT.key))
    assert.equal(t.emulator.broker.getQueue('sneaky'), undefined)
    const unknownName = await rejectionOf(adminClient(t.emulator, withKey('nobody', ROOT.key)).getQueue('existing'))
    assert.equal(unknownName.code, 'UnauthorizedRequestError')
  })

  test('a Listen-only policy cannot manage', async () => {
    const listener = adminClient(t.emulator, withKey(LISTENER.keyName, LISTENER.key))
    for (const operation of [
      listener.createQueue('by-listener'),
      listener.getQueue('existing'),
      listener.deleteQueue('existing'),
      listener.getNamespaceProperties(),
    ]) {
      const error = await rejectionOf(operation)
      assert.equal(error.code, 'UnauthorizedRequestError')
      assert.match(error.message, /'Manage' claim/)
    }
    const listError = await rejectionOf(listener.listQueues().next())
    assert.equal(listError.code, 'UnauthorizedRequestError')
    assert.ok(t.emulator.broker.getQueue('existing'), 'the queue is still there')
  })

  test('missing, malformed, expired and misdirected tokens get a 401 <Error> body', async () => {
    const path = '/existing?api-version=2021-05'
    const missing = await rawRequest(t.emulator, {scheme: 'https', path})
    assert.equal(missing.status, 401)
    assert.match(missing.body, /^<Error><Code>401<\/Code><Detail>MissingToken: .*<\/Detail><\/Error>$/)
    assert.equal(missing.headers.connection, 'close')

    const malformed = await rawRequest(t.emulator, {scheme: 'https', path, headers: {authorization: 'Bearer nonsense'}})
    assert.equal(malformed.status, 401)

    const url = `https://${t.emulator.host}:${t.emulator.port}${path}`
    const expired = await rawRequest(t.emulator, {
      scheme: 'https',
      path,
      headers: {authorization: sasHeaderFor(url, ROOT.keyName, ROOT.key, Math.round(Date.now() / 1000) - 10)},
    })
    assert.equal(expired.status, 401)
    assert.match(expired.body, /ExpiredToken/)

    // A token signed for one queue does not open another.
    const otherUrl = `https://${t.emulator.host}:${t.emulator.port}/other?api-version=2021-05`
    const misdirected = await rawRequest(t.emulator, {
      scheme: 'https',
      path,
      headers: {authorization: sasHeaderFor(otherUrl, ROOT.keyName, ROOT.key)},
    })
    assert.equal(misdirected.status, 401)
    assert.match(misdirected.body, /InvalidAudience/)

    const good = await rawRequest(t.emulator, {scheme: 'https', path, sign: ROOT})
    assert.equal(good.status, 200)
    assert.match(good.body, /<QueueDescription /)
  })
})

describe('queue-level rules through the admin API', () => {
  const WORKER = {keyName: 'worker', key: 'worker-key-0123456789abcdef'}
  const PRODUCER = {keyName: 'producer', key: 'producer-key-0123456789abc'}

  test('a Listen-only rule from createQueue lets a client receive but not send, at once', async () => {
    const admin = adminClient(t.emulator)
    const created = await admin.createQueue('work', {
      authorizationRules: [{claimType: 'SharedAccessKey', keyName: WORKER.keyName, accessRights: ['Listen'], primaryKey: WORKER.key}],
    })
    assert.deepEqual(
      created.authorizationRules?.map(rule => [rule.keyName, rule.accessRights, rule.primaryKey]),
      [[WORKER.keyName, ['Listen'], WORKER.key]],
    )
    assert.ok(created.authorizationRules?.[0].secondaryKey, 'a secondary key is generated')
    await t.client.createSender('work').sendMessages({body: 'for the worker'})

    const worker = t.clientFor(withKey(WORKER.keyName, WORKER.key, 'work'))
    const [message] = await worker.createReceiver('work', {receiveMode: 'receiveAndDelete'}).receiveMessages(1, {maxWaitTimeInMs: 5000})
    assert.equal(message?.body, 'for the worker')
    const sendError = await rejectionOf(worker.createSender('work').sendMessages({body: 'nope'}))
    assert.equal(sendError.code, 'UnauthorizedAccess')
    // The rule is the queue's own: it opens nothing else, and cannot manage.
    const elsewhere = await rejectionOf(
      t
        .clientFor(withKey(WORKER.keyName, WORKER.key, 'existing'))
        .createReceiver('existing')
        .receiveMessages(1, {maxWaitTimeInMs: 2000}),
    )
    assert.equal(elsewhere.code, 'UnauthorizedAccess')
    const manage = await rejectionOf(adminClient(t.emulator, withKey(WORKER.keyName, WORKER.key)).getQueue('work'))
    assert.equal(manage.code, 'UnauthorizedRequestError')
  })

  test('updateQueue adds a Send-only rule and removes one; the AMQP side follows at once', async () => {
    const admin = adminClient(t.emulator)
    const queue = await admin.getQueue('work')
    queue.authorizationRules = [{claimType: 'SharedAccessKey', keyName: PRODUCER.keyName, accessRights: ['Send'], primaryKey: PRODUCER.key}]
    const updated = await admin.updateQueue(queue)
    assert.deepEqual(
      updated.authorizationRules?.map(rule => rule.keyName),
      [PRODUCER.keyName],
    )

    const producer = t.clientFor(withKey(PRODUCER.keyName, PRODUCER.key, 'work'))
    await producer.createSender('work').sendMessages({body: 'produced'})
    assert.equal(t.emulator.broker.runtimeCounts('work').activeMessageCount, 1)
    const receiveError = await rejectionOf(producer.createReceiver('work').receiveMessages(1, {maxWaitTimeInMs: 2000}))
    assert.equal(receiveError.code, 'UnauthorizedAccess')

    // The worker rule was left out of the update, so it is gone.
    const removed = await rejectionOf(
      t
        .clientFor(withKey(WORKER.keyName, WORKER.key, 'work'))
        .createReceiver('work')
        .receiveMessages(1, {maxWaitTimeInMs: 2000}),
    )
    assert.equal(removed.code, 'UnauthorizedAccess')
  })

  test('queues and rules made through the admin API survive a restart of a durable emulator', async () => {
    const dir = tempDir('qjob-sb-admin-durable-')
    const policies = [{name: ROOT.keyName, key: ROOT.key, rights: ['Manage', 'Listen', 'Send'] as ('Manage' | 'Listen' | 'Send')[]}]
    try {
      const first = await startServiceBusEmulator({port: 0, dataDir: dir.path, policies})
      try {
        await adminClient(first).createQueue('kept', {
          lockDuration: 'PT15S',
          authorizationRules: [{claimType: 'SharedAccessKey', keyName: WORKER.keyName, accessRights: ['Listen'], primaryKey: WORKER.key}],
        })
      } finally {
        await first.close()
      }
      const second = await startServiceBusEmulator({port: 0, dataDir: dir.path, policies})
      const worker = new ServiceBusClient(connectionStringOf(second.endpoint, WORKER.keyName, WORKER.key, 'kept'), FAST_FAIL)
      try {
        const kept = await adminClient(second).getQueue('kept')
        assert.equal(kept.lockDuration, 'PT15S')
        assert.deepEqual(
          kept.authorizationRules?.map(rule => rule.keyName),
          [WORKER.keyName],
        )
        const messages = await worker.createReceiver('kept').receiveMessages(1, {maxWaitTimeInMs: 200})
        assert.deepEqual(messages, [], 'the kept Listen rule still opens a receiver')
        assert.equal((await rejectionOf(worker.createSender('kept').sendMessages({body: 'x'}))).code, 'UnauthorizedAccess')
      } finally {
        await worker.close()
        await second.close()
      }
    } finally {
      dir.cleanup()
    }
  })

  test('a queue-level Manage rule manages its queue only', async () => {
    const OWNER = {keyName: 'owner', key: 'owner-key-0123456789abcdef'}
    const admin = adminClient(t.emulator)
    await admin.createQueue('owned', {
      authorizationRules: [
        {claimType: 'SharedAccessKey', keyName: OWNER.keyName, accessRights: ['Manage', 'Listen', 'Send'], primaryKey: OWNER.key},
      ],
    })
    const owner = adminClient(t.emulator, withKey(OWNER.keyName, OWNER.key))
    assert.equal((await owner.getQueue('owned')).name, 'owned')
    assert.equal((await rejectionOf(owner.getQueue('existing'))).code, 'UnauthorizedRequestError')
    assert.equal((await rejectionOf(owner.listQueues().next())).code, 'UnauthorizedRequestError')

    const invalid = await rejectionOf(
      admin.createQueue('bad-rule', {authorizationRules: [{claimType: 'SharedAccessKey', keyName: 'half', accessRights: ['Manage']}]}),
    )
    assert.equal(statusOf(invalid), 400, 'Manage without Listen and Send is refused')
  })
})
