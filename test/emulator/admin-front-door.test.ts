// One port, three protocols: AMQP, HTTPS and plain HTTP are told apart by their first bytes, also
// when those bytes arrive one at a time; garbage, silence and hostile XML only cost the sender its
// connection. The certificate is kept in the data dir and works through NODE_EXTRA_CA_CERTS.
import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {once} from 'node:events'
import {connect} from 'node:net'
import {after, before, describe, test} from 'node:test'
import {promisify} from 'node:util'

import {ServiceBusAdministrationClient, ServiceBusClient} from '@azure/service-bus'

import {AdminApi} from '../../src/emulator/servicebus/admin/admin-api.js'
import {createAdminServers} from '../../src/emulator/servicebus/admin/http-listener.js'
import {NamespacePolicies} from '../../src/emulator/servicebus/auth/namespace-policies.js'
import {sniffProtocol, startFrontDoor} from '../../src/emulator/servicebus/front-door.js'
import {silentLogger, startServiceBusEmulator} from '../../src/emulator/servicebus/index.js'
import {tempDir} from '../helpers/cli.js'
import {adminClient, rawRequest} from './admin-helpers.js'
import {FAST_FAIL, startTcpProxy, startTestEmulator, until, type TestEmulator} from './helpers.js'

const ROOT = {keyName: 'Root', key: 'door-root-key-0123456789'}
let t: TestEmulator

before(async () => {
  t = await startTestEmulator({
    policies: [{name: ROOT.keyName, key: ROOT.key, rights: ['Manage', 'Listen', 'Send']}],
    queues: [{name: 'q'}],
  })
})
after(() => t.stop())

/** A queue entry as the SDK serializes it (atomXmlHelper.serializeToAtomXmlRequest). */
const entry = (description: string) =>
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><entry xmlns="http://www.w3.org/2005/Atom"><updated>${new Date().toISOString()}</updated><content type="application/xml">${description}</content></entry>`
const queueDescription = (fields: string) =>
  `<QueueDescription xmlns="http://schemas.microsoft.com/netservices/2010/10/servicebus/connect" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">${fields}</QueueDescription>`

async function roundTrip(client: ServiceBusClient, queue: string, body: string): Promise<void> {
  await client.createSender(queue).sendMessages({body})
  const [message] = await client.createReceiver(queue, {receiveMode: 'receiveAndDelete'}).receiveMessages(1, {maxWaitTimeInMs: 5000})
  assert.equal(message?.body, body)
}

/** Opens a raw connection, writes `bytes` one byte per segment, resolves with what came back before the server closed or `until` matched. */
async function dribble(port: number, bytes: Buffer, expectClose = true): Promise<Buffer> {
  const socket = connect(port, '127.0.0.1')
  socket.setNoDelay(true)
  socket.on('error', () => {})
  const chunks: Buffer[] = []
  socket.on('data', chunk => chunks.push(chunk))
  await once(socket, 'connect')
  for (const byte of bytes) {
    socket.write(Buffer.from([byte]))
    await new Promise(resolve => setImmediate(resolve))
  }
  if (expectClose) await once(socket, 'close')
  else {
    await until(() => chunks.length > 0, 5000, 'a reply')
    socket.destroy()
  }
  return Buffer.concat(chunks)
}

describe('protocol sniffing', () => {
  test('first bytes decide the protocol, or ask for more', () => {
    const cases: Array<[Buffer | string, string | undefined]> = [
      ['AMQP\x00\x01\x00\x00', 'amqp'],
      ['AMQP\x03\x01\x00\x00', 'amqp'],
      ['AM', undefined],
      [Buffer.from([0x16, 0x03, 0x01]), 'tls'],
      ['GET /$namespaceinfo HTTP/1.1\r\n', 'http'],
      ['DELETE /q HTTP/1.1', 'http'],
      ['PU', undefined],
      ['', undefined],
      ['A', undefined],
      [Buffer.from([0x00, 0x01, 0x02]), 'unknown'],
      ['get / HTTP/1.1', 'unknown'],
      ['AMQX', undefined],
      ['AMQX\x00', 'unknown'],
      ['ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'unknown'],
    ]
    for (const [input, expected] of cases)
      assert.equal(sniffProtocol(Buffer.isBuffer(input) ? input : Buffer.from(input, 'latin1')), expected, JSON.stringify(String(input)))
  })

  test('AMQP, HTTPS and plain HTTP are served on one port at the same time', async () => {
    const admin = adminClient(t.emulator)
    const plainCreate = rawRequest(t.emulator, {
      scheme: 'http',
      method: 'PUT',
      path: '/plain?api-version=2021-05',
      headers: {'content-type': 'application/atom+xml;type=entry;charset=utf-8'},
      body: entry(queueDescription('<LockDuration>PT20S</LockDuration><MaxDeliveryCount>2</MaxDeliveryCount>')),
      sign: ROOT,
    })
    const [, namespace, created] = await Promise.all([roundTrip(t.client, 'q', 'over amqp'), admin.getNamespaceProperties(), plainCreate])
    assert.equal(namespace.name, 'qjob-emulator')
    assert.equal(created.status, 201)
    assert.match(created.body, new RegExp(`<id>http://127\\.0\\.0\\.1:${t.emulator.port}/plain\\?api-version=2021-05</id>`))
    assert.equal(t.emulator.broker.getQueue('plain')?.lockDurationMs, 20_000)
    assert.equal((await admin.getQueue('plain')).maxDeliveryCount, 2)
    await roundTrip(t.client, 'plain', 'into the queue made over plain HTTP')
    assert.equal(t.emulator.managementEndpoint, `https://127.0.0.1:${t.emulator.port}`)
  })

  test('the stock admin client works over plain HTTP through a pipeline policy (no certificate needed)', async () => {
    const admin = new ServiceBusAdministrationClient(t.emulator.connectionString, {retryOptions: {maxRetries: 0}})
    const seen: string[] = []
    admin.pipeline.addPolicy({
      name: 'emulatorPlainHttp',
      sendRequest(request, next) {
        request.url = request.url.replace(/^https:/, 'http:')
        request.allowInsecureConnection = true
        seen.push(request.url.split(':')[0])
        return next(request)
      },
    })
    await admin.createQueue('over-http')
    assert.equal(await admin.queueExists('over-http'), true)
    assert.deepEqual([...new Set(seen)], ['http'])
  })

  test('first bytes arriving one at a time are sniffed the same', async () => {
    // A proxy that passes each client's first 16 bytes one per TCP segment.
    const proxy = await startTcpProxy(t.emulator.port, () => {
      let sent = 0
      let chain = Promise.resolve()
      return (chunk, upstream) => {
        chain = chain.then(async () => {
          let offset = 0
          while (offset < chunk.length && sent < 16) {
            upstream.write(chunk.subarray(offset, offset + 1))
            offset++
            sent++
            await new Promise(resolve => setImmediate(resolve))
          }
          if (offset < chunk.length) upstream.write(chunk.subarray(offset))
        })
      }
    })
    const {port} = proxy
    const viaProxy = `Endpoint=sb://127.0.0.1:${port};SharedAccessKeyName=${ROOT.keyName};SharedAccessKey=${ROOT.key};UseDevelopmentEmulator=true`
    const client = new ServiceBusClient(viaProxy, FAST_FAIL)
    try {
      await roundTrip(client, 'q', 'dribbled')
      assert.equal((await adminClient(t.emulator, viaProxy).getQueue('q')).name, 'q')
    } finally {
      await client.close()
      proxy.close()
    }
    const http = await dribble(t.emulator.port, Buffer.from('GET /q HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'))
    assert.match(http.toString('latin1'), /^HTTP\/1\.1 401 /)
    const amqp = await dribble(t.emulator.port, Buffer.from('AMQP\x00\x01\x00\x00', 'latin1'), false)
    assert.equal(amqp.toString('latin1', 0, 4), 'AMQP')
  })

  test('garbage, broken TLS and broken HTTP cost only their own connection', async () => {
    const baseline = t.emulator.connectionCount()
    const exchanges = [
      Buffer.from([0x00, 0xff, 0x13, 0x37, 0x42]),
      Buffer.from([0x16]),
      Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05]), Buffer.from('hello, not a ClientHello')]),
      Buffer.from('GET /\r\n\r\n'),
      Buffer.from(`GET /${'x'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`),
      Buffer.from('POST /q HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello'),
      Buffer.from(Array.from({length: 64}, (_, i) => (i * 37 + 11) & 0xff)),
    ]
    await Promise.all(
      exchanges.map(async bytes => {
        const socket = connect(t.emulator.port, '127.0.0.1')
        socket.on('error', () => {})
        socket.on('data', () => {})
        await once(socket, 'connect')
        socket.end(bytes)
        await once(socket, 'close')
      }),
    )
    await until(() => t.emulator.connectionCount() <= baseline, 5000, 'garbage connections to close')
    await roundTrip(t.client, 'q', 'still serving AMQP')
    assert.equal((await adminClient(t.emulator).getQueue('q')).name, 'q')
  })

  test('a client that says nothing is dropped after the sniff timeout', async () => {
    const handedOver: string[] = []
    const door = await startFrontDoor({
      host: '127.0.0.1',
      port: 0,
      logger: {debug() {}, info() {}, warn() {}, error() {}},
      sniffTimeoutMs: 50,
      amqp: socket => (handedOver.push('amqp'), socket.destroy()),
      tls: stream => (handedOver.push('tls'), stream.destroy()),
      http: socket => (handedOver.push('http'), socket.destroy()),
    })
    try {
      const silent = connect(door.port, '127.0.0.1')
      silent.on('error', () => {})
      await once(silent, 'close')
      assert.deepEqual(handedOver, [])
      await until(() => door.connectionCount() === 0, 5000, 'the silent connection to go')
    } finally {
      await door.close()
    }
  })
})

describe('extra routes', () => {
  test('another HTTP API can claim its own paths on the same servers', async () => {
    const api = new AdminApi({
      broker: t.emulator.broker,
      policies: new NamespacePolicies(
        [{keyName: ROOT.keyName, primaryKey: ROOT.key, rights: ['Manage', 'Listen', 'Send']}],
        t.emulator.broker,
      ),
      logger: silentLogger,
    })
    const servers = createAdminServers(api, t.emulator.certificate, () => 'localhost', silentLogger, [
      {matches: url => url.startsWith('/subscriptions/'), handle: (_request, response) => response.end('claimed')},
    ])
    const door = await startFrontDoor({
      host: '127.0.0.1',
      port: 0,
      logger: silentLogger,
      amqp: socket => socket.destroy(),
      tls: stream => servers.https.emit('connection', stream),
      http: socket => servers.http.emit('connection', socket),
    })
    try {
      const at = {...t.emulator, port: door.port}
      const claimed = await rawRequest(at, {scheme: 'https', path: '/subscriptions/0/resourceGroups/rg'})
      assert.deepEqual([claimed.status, claimed.body], [200, 'claimed'])
      const atom = await rawRequest(at, {scheme: 'http', path: '/$namespaceinfo?api-version=2021-05', sign: ROOT})
      assert.equal(atom.status, 200)
      assert.match(atom.body, /<Name>qjob-emulator<\/Name>/)
    } finally {
      await door.close()
      await servers.close()
    }
  })
})

describe('request bodies', () => {
  const put = (name: string, body: string) =>
    rawRequest(t.emulator, {scheme: 'http', method: 'PUT', path: `/${name}?api-version=2021-05`, body, sign: ROOT})

  test('DOCTYPEs, entities and malformed XML are refused with 400', async () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>${entry(queueDescription('<UserMetadata>&lol2;</UserMetadata>')).replace(/^<\?xml[^>]*\?>/, '')}`
    const external = `<?xml version="1.0"?><!DOCTYPE entry [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${entry(queueDescription('<UserMetadata>&xxe;</UserMetadata>')).replace(/^<\?xml[^>]*\?>/, '')}`
    for (const [name, body] of [
      ['laughs', laughs],
      ['xxe', external],
      ['broken', '<entry><content>'],
      ['empty', ''],
    ]) {
      const response = await put(name, body)
      assert.equal(response.status, 400, name)
      assert.match(response.body, /^<Error><Code>400<\/Code><Detail>.+<\/Detail><\/Error>$/)
      assert.equal(t.emulator.broker.getQueue(name), undefined)
    }
    const unknownField = await put('unknown-field', entry(queueDescription('<Colour>blue</Colour>')))
    assert.equal(unknownField.status, 400)
    assert.match(unknownField.body, /Colour/)
  })

  test('a TopicDescription creates a topic, bodies over 1 MiB get 413, unknown methods 405', async () => {
    const topic = await put(
      'a-topic',
      entry('<TopicDescription xmlns="http://schemas.microsoft.com/netservices/2010/10/servicebus/connect"/>'),
    )
    assert.equal(topic.status, 201)
    assert.match(topic.body, /<TopicDescription/)
    const admin = adminClient(t.emulator)
    assert.equal((await admin.listTopics().next()).value?.name, 'a-topic')
    const again = await put(
      'a-topic',
      entry('<TopicDescription xmlns="http://schemas.microsoft.com/netservices/2010/10/servicebus/connect"/>'),
    )
    assert.equal(again.status, 409)

    const huge = await put('huge', entry(queueDescription(`<UserMetadata>${'x'.repeat(1024 * 1024)}</UserMetadata>`)))
    assert.equal(huge.status, 413)
    const patch = await rawRequest(t.emulator, {scheme: 'http', method: 'PATCH', path: '/q?api-version=2021-05', body: '', sign: ROOT})
    assert.equal(patch.status, 405)
    assert.ok(t.emulator.broker.getQueue('q'))
  })
})

describe('the certificate', () => {
  test('is kept in the data dir, reused on restart, and trusted through NODE_EXTRA_CA_CERTS', async () => {
    const dir = tempDir('qjob-sb-cert-test-')
    try {
      const first = await startServiceBusEmulator({
        port: 0,
        dataDir: dir.path,
        policies: [{name: ROOT.keyName, key: ROOT.key, rights: ['Manage', 'Listen', 'Send']}],
      })
      const {certPath, certificate} = first
      await first.close()
      assert.ok(certPath.startsWith(dir.path), certPath)
      const second = await startServiceBusEmulator({
        port: 0,
        dataDir: dir.path,
        policies: [{name: ROOT.keyName, key: ROOT.key, rights: ['Manage', 'Listen', 'Send']}],
      })
      try {
        assert.equal(second.certificate.cert, certificate.cert, 'the same certificate after a restart')
        // A separate Node process with the stock SDK and only the environment `qjob emulator env` prints.
        const script = `import {ServiceBusAdministrationClient} from '@azure/service-bus'
const admin = new ServiceBusAdministrationClient(process.env.SERVICEBUS_CONNECTION_STRING, {retryOptions: {maxRetries: 0}})
await admin.createQueue('from-child')
console.log(JSON.stringify({exists: await admin.queueExists('from-child')}))`
        const {stdout} = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
          cwd: process.cwd(),
          env: {PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: second.certPath, SERVICEBUS_CONNECTION_STRING: second.connectionString},
          timeout: 30_000,
        })
        assert.deepEqual(JSON.parse(stdout), {exists: true})
        assert.ok(second.broker.getQueue('from-child'))
      } finally {
        await second.close()
      }
    } finally {
      dir.cleanup()
    }
  })
})
