// AMQP over WebSockets on the emulator's one port: the stock SDK with webSocketOptions (wss://,
// subprotocol AMQPWSB10, path /$servicebus/websocket), a raw rhea peer over plain ws://, the
// handshake's refusals, and the messaging, sessions and management test files run again with
// every SDK client tunnelled (QJOB_TEST_SB_TRANSPORT=websocket, see helpers.ts).
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {once} from 'node:events'
import {fileURLToPath} from 'node:url'
import {after, before, describe, test} from 'node:test'

import {ServiceBusClient} from '@azure/service-bus'
import rhea, {type Connection} from 'rhea'
import WebSocket from 'ws'

import {startTestEmulator, webSocketClientOptions, type TestEmulator} from './helpers.js'
import {closeConnection, putToken, sendOne} from './raw-amqp.js'

const KEY = 'ws-test-key-0123456789abcdefghijkl='

describe('AMQP over WebSockets', () => {
  let t: TestEmulator
  before(async () => {
    t = await startTestEmulator({policies: [{name: 'Root', key: KEY, rights: ['Manage', 'Send', 'Listen']}], queues: [{name: 'ws'}]})
  })
  after(() => t.stop())

  test('the SDK with webSocketOptions sends, receives and completes over wss://', async () => {
    const before = t.emulator.webSocketConnectionsAccepted()
    const client: ServiceBusClient = t.clientFor(t.emulator.connectionString, {
      ...webSocketClientOptions(t.emulator),
      retryOptions: {maxRetries: 0, timeoutInMs: 10_000},
    })
    const sender = client.createSender('ws')
    await sender.sendMessages({body: 'over websockets', applicationProperties: {n: 1}})
    const receiver = client.createReceiver('ws')
    const [message] = await receiver.receiveMessages(1, {maxWaitTimeInMs: 5000})
    assert.equal(message.body, 'over websockets')
    assert.equal(message.applicationProperties?.n, 1)
    await receiver.completeMessage(message)
    assert.equal(t.emulator.broker.runtimeCounts('ws').activeMessageCount, 0)
    assert.ok(t.emulator.webSocketConnectionsAccepted() > before, 'the client did not use the WebSocket path')
    await client.close()
  })

  test('a raw AMQP peer over plain ws:// is served too', async () => {
    const url = `ws://127.0.0.1:${t.emulator.port}/$servicebus/websocket`
    const connect = rhea.websocket_connect(WebSocket as never)
    const connection: Connection = rhea
      .create_container()
      .connect({connection_details: connect(url, ['AMQPWSB10'], {}), reconnect: false} as never)
    await once(connection, 'connection_open')
    try {
      assert.equal(await putToken(connection, t.emulator.endpoint, 'Root', KEY), 202)
      const before = t.emulator.broker.runtimeCounts('ws').activeMessageCount
      await sendOne(connection, 'ws', 'plain ws')
      assert.equal(t.emulator.broker.runtimeCounts('ws').activeMessageCount, before + 1)
    } finally {
      await closeConnection(connection)
    }
  })

  test('another path is refused with 404; a client without the AMQPWSB10 subprotocol is refused', async () => {
    const wrongPath = new WebSocket(`ws://127.0.0.1:${t.emulator.port}/elsewhere`, ['AMQPWSB10'])
    const [, response] = (await once(wrongPath, 'unexpected-response')) as [unknown, {statusCode: number}]
    assert.equal(response.statusCode, 404)
    wrongPath.on('error', () => undefined)
    wrongPath.terminate()

    const noProtocol = new WebSocket(`ws://127.0.0.1:${t.emulator.port}/$servicebus/websocket`, ['mqtt'])
    const [error] = (await once(noProtocol, 'error')) as [Error]
    assert.match(error.message, /subprotocol/i)
  })
})

// Three test files in a child process: its own, longer timeout (a loaded machine runs it in ~2 min).
test('the messaging, sessions and management tests pass with every SDK client over WebSockets', {timeout: 400_000}, () => {
  const here = (name: string) => fileURLToPath(new URL(name, import.meta.url))
  const files = ['sb-messaging.test.ts', 'sb-sessions.test.ts', 'sb-management.test.ts'].map(here)
  // NODE_TEST_CONTEXT would make the child report to this runner in its binary protocol: drop it for TAP.
  const {NODE_TEST_CONTEXT: _context, ...env} = process.env
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=tap', '--test-concurrency=1', '--test-timeout=120000', ...files],
    {
      env: {...env, QJOB_TEST_SB_TRANSPORT: 'websocket'},
      encoding: 'utf8',
      timeout: 380_000,
    },
  )
  const summary = /# pass (\d+)[\s\S]*# fail (\d+)/.exec(run.stdout)
  assert.equal(
    run.status,
    0,
    `the WebSocket run failed:\n${run.stdout
      .split('\n')
      .filter(line => /not ok|error|Error/.test(line))
      .slice(0, 30)
      .join('\n')}`,
  )
  assert.ok(summary && Number(summary[1]) >= 15 && summary[2] === '0', `unexpected summary: ${summary?.[0]}`)
})
