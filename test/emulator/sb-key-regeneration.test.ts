// Policy keys can be regenerated, over ATOM (update the queue's rule with new keys) and ARM
// (regenerateKeys, namespace and queue policies), and the next put-token signed with the old key
// (the SDK's token renewal) is refused while the new key and the other key work.
import assert from 'node:assert/strict'
import {after, before, describe, test} from 'node:test'

import {ServiceBusManagementClient} from '@azure/arm-servicebus'
import type {Connection} from 'rhea'

import {adminClient} from './admin-helpers.js'
import {startTestEmulator, type TestEmulator} from './helpers.js'
import {closeConnection, openConnection, putToken} from './raw-amqp.js'

const ROOT = 'regen-root-key-0123456789abcdefghij='
const OLD_PRIMARY = 'worker-primary-0123456789abcdefghij='
const OLD_SECONDARY = 'worker-secondary-0123456789abcdefgh='

describe('policy key regeneration', () => {
  let t: TestEmulator
  let connection: Connection
  before(async () => {
    t = await startTestEmulator({policies: [{name: 'RootManageSharedAccessKey', key: ROOT, rights: ['Manage', 'Send', 'Listen']}]})
    connection = await openConnection({host: '127.0.0.1', port: t.emulator.port})
  })
  after(async () => {
    await closeConnection(connection)
    await t.stop()
  })
  const arm = () =>
    new ServiceBusManagementClient(
      {getToken: async () => ({token: t.emulator.armToken, expiresOnTimestamp: Date.now() + 3_600_000})},
      'sub',
      {
        endpoint: t.emulator.armEndpoint,
        tlsOptions: {ca: t.emulator.certificate.cert},
        retryOptions: {maxRetries: 0},
      } as never,
    )

  test('ATOM: a queue rule updated with a new primary key refuses the old one on the next put-token', async () => {
    const admin = adminClient(t.emulator)
    await admin.createQueue('keys', {
      authorizationRules: [
        {
          keyName: 'worker',
          accessRights: ['Listen', 'Send'],
          primaryKey: OLD_PRIMARY,
          secondaryKey: OLD_SECONDARY,
          claimType: 'SharedAccessKey',
        },
      ],
    })
    assert.equal(await putToken(connection, t.emulator.endpoint, 'worker', OLD_PRIMARY, 'keys'), 202)
    const queue = await admin.getQueue('keys')
    const renewed = 'worker-renewed-0123456789abcdefghijk='
    await admin.updateQueue({...queue, authorizationRules: queue.authorizationRules!.map(rule => ({...rule, primaryKey: renewed}))})
    assert.equal(await putToken(connection, t.emulator.endpoint, 'worker', OLD_PRIMARY, 'keys'), 401)
    assert.equal(await putToken(connection, t.emulator.endpoint, 'worker', renewed, 'keys'), 202)
    assert.equal(await putToken(connection, t.emulator.endpoint, 'worker', OLD_SECONDARY, 'keys'), 202, 'the other key is untouched')
  })

  test('ARM regenerateKeys: a queue policy key and a namespace policy key', async () => {
    const client = arm()
    const keys = await client.queues.regenerateKeys('rg', 'ns', 'keys', 'worker', {keyType: 'SecondaryKey'})
    assert.ok(keys.secondaryKey && keys.secondaryKey !== OLD_SECONDARY)
    assert.match(keys.secondaryConnectionString ?? '', /EntityPath=keys/)
    assert.equal(await putToken(connection, t.emulator.endpoint, 'worker', OLD_SECONDARY, 'keys'), 401)
    assert.equal(await putToken(connection, t.emulator.endpoint, 'worker', keys.secondaryKey!, 'keys'), 202)
    const listed = await client.queues.listKeys('rg', 'ns', 'keys', 'worker')
    assert.equal(listed.secondaryKey, keys.secondaryKey)

    const chosen = 'root-chosen-key-0123456789abcdefghij='
    const root = await client.namespaces.regenerateKeys('rg', 'ns', 'RootManageSharedAccessKey', {keyType: 'PrimaryKey', key: chosen})
    assert.equal(root.primaryKey, chosen)
    assert.equal(await putToken(connection, t.emulator.endpoint, 'RootManageSharedAccessKey', ROOT), 401)
    assert.equal(await putToken(connection, t.emulator.endpoint, 'RootManageSharedAccessKey', chosen), 202)
    assert.ok(t.emulator.connectionString.includes(`SharedAccessKey=${chosen}`), 'the emulator hands out the new key')
    await assert.rejects(client.queues.regenerateKeys('rg', 'ns', 'keys', 'worker', {keyType: 'TertiaryKey' as never}), /keyType/)
  })
})
