// SASL as Azure offers it: MSSBCBS (the C uAMQP stack: Python SDK <= 7.8, C and IoT SDKs) and
// ANONYMOUS, both followed by a $cbs token; PLAIN with a policy's key name and key. Driven by a
// raw rhea peer choosing each mechanism itself.
import assert from 'node:assert/strict'
import {after, before, describe, test} from 'node:test'

import {startTestEmulator, type TestEmulator} from './helpers.js'
import {clientMechanism, closeConnection, openConnection, plainResponse, putToken, sendOne} from './raw-amqp.js'

const KEY = 'sasl-test-key-0123456789abcdefghij='

describe('SASL mechanisms', () => {
  let t: TestEmulator
  before(async () => {
    t = await startTestEmulator({policies: [{name: 'Root', key: KEY, rights: ['Manage', 'Send', 'Listen']}], queues: [{name: 'sasl'}]})
  })
  after(() => t.stop())
  const port = () => t.emulator.port

  test('the server offers MSSBCBS, ANONYMOUS and PLAIN', async () => {
    const error = await openConnection({
      host: '127.0.0.1',
      port: port(),
      sasl_mechanisms: clientMechanism('SCRAM-SHA-256', Buffer.alloc(0)),
    } as never).then(
      () => assert.fail('a mechanism the server does not offer was accepted'),
      (reason: Error) => reason,
    )
    assert.match(error.message, /MSSBCBS/)
    assert.match(error.message, /ANONYMOUS/)
    assert.match(error.message, /PLAIN/)
  })

  for (const mechanism of ['MSSBCBS', 'ANONYMOUS']) {
    test(`${mechanism}: the handshake succeeds, links need a $cbs token, and work with one`, async () => {
      const connection = await openConnection({
        host: '127.0.0.1',
        port: port(),
        sasl_mechanisms: clientMechanism(mechanism, Buffer.alloc(0)),
      } as never)
      try {
        await assert.rejects(sendOne(connection, 'sasl', 'no token'), /Unauthorized|token/i)
        assert.equal(await putToken(connection, t.emulator.endpoint, 'Root', KEY), 202)
        const before = t.emulator.broker.runtimeCounts('sasl').activeMessageCount
        await sendOne(connection, 'sasl', `via ${mechanism}`)
        assert.equal(t.emulator.broker.runtimeCounts('sasl').activeMessageCount, before + 1)
      } finally {
        await closeConnection(connection)
      }
    })
  }

  test('PLAIN with a policy key name and key authorises the connection without $cbs', async () => {
    const connection = await openConnection({
      host: '127.0.0.1',
      port: port(),
      sasl_mechanisms: clientMechanism('PLAIN', plainResponse('Root', KEY)),
    } as never)
    try {
      const before = t.emulator.broker.runtimeCounts('sasl').activeMessageCount
      await sendOne(connection, 'sasl', 'via PLAIN')
      assert.equal(t.emulator.broker.runtimeCounts('sasl').activeMessageCount, before + 1)
    } finally {
      await closeConnection(connection)
    }
  })

  test('PLAIN with a wrong key or an unknown key name fails the handshake', async () => {
    for (const [user, password] of [
      ['Root', 'not-the-key'],
      ['Nobody', KEY],
    ]) {
      await assert.rejects(
        openConnection({
          host: '127.0.0.1',
          port: port(),
          sasl_mechanisms: clientMechanism('PLAIN', plainResponse(user, password)),
        } as never),
      )
    }
  })
})
