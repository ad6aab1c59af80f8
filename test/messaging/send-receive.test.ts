import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {ServiceBusClient} from '@azure/service-bus'

import {type MessagingFixture, ndjson, startMessagingFixture} from './helpers.js'

describe('qjob send and receive against the emulator', () => {
  let fx: MessagingFixture
  let client: ServiceBusClient
  before(async () => {
    fx = await startMessagingFixture([
      {name: 'jobs'},
      {name: 'bulk'},
      {name: 'settle', lockDuration: 'PT2S', maxDeliveryCount: 5},
      {name: 'tiny', maxMessageSizeInKilobytes: 1},
      {name: 'replay'},
      {name: 'orders', requiresSession: true},
      {name: 'listen-only', policies: [{name: 'workers', key: 'workers-key-0123456789', rights: ['Listen']}]},
    ])
    client = new ServiceBusClient(fx.emulator.connectionString, {retryOptions: {maxRetries: 0, timeoutInMs: 10_000}})
  })
  after(async () => {
    await client.close()
    await fx.stop()
  })

  it('sends a body from the argument with properties, as raw UTF-8 bytes', async () => {
    const result = await fx.qjob([
      'send',
      '-q',
      'jobs',
      '{"job":"resize","id":42}',
      '--content-type',
      'application/json',
      '--subject',
      'resize',
      '--correlation-id',
      'c-1',
      '--message-id',
      'm-1',
      '-p',
      'tenant=acme',
      '-p',
      'priority=2',
      '-p',
      'urgent=true',
      '-p',
      'code:="007"',
      '--ttl',
      '10m',
    ])
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, 'Sent 1 message to jobs\n')
    const receiver = client.createReceiver('jobs', {receiveMode: 'receiveAndDelete'})
    const [message] = await receiver.receiveMessages(1, {maxWaitTimeInMs: 5000})
    await receiver.close()
    assert.deepEqual(message.body, {job: 'resize', id: 42})
    assert.equal(message.contentType, 'application/json')
    assert.equal(message.subject, 'resize')
    assert.equal(message.messageId, 'm-1')
    assert.equal(message.correlationId, 'c-1')
    assert.equal(message.timeToLive, 600_000)
    assert.deepEqual(message.applicationProperties, {tenant: 'acme', priority: 2, urgent: true, code: '007'})
  })

  it('sends stdin and --file bodies byte for byte, and --count copies with distinct ids (--json)', async () => {
    const binary = Buffer.from([0, 1, 2, 250, 255, 10])
    writeFileSync(join(fx.home, 'blob.bin'), binary)
    let result = await fx.qjob(['send', '-q', 'jobs', '--file', 'blob.bin'])
    assert.equal(result.code, 0, result.stderr)
    result = await fx.qjob(['send', '-q', 'jobs', '--count', '3', '--json'], {input: 'from stdin'})
    assert.equal(result.code, 0, result.stderr)
    const sent = JSON.parse(result.stdout) as {sent: number; messageIds: string[]; queue: string}
    assert.equal(sent.sent, 3)
    assert.equal(sent.queue, 'jobs')
    assert.equal(new Set(sent.messageIds).size, 3)

    const receiver = client.createReceiver('jobs', {receiveMode: 'receiveAndDelete', skipParsingBodyAsJson: true})
    const messages = await receiver.receiveMessages(4, {maxWaitTimeInMs: 5000})
    await receiver.close()
    assert.deepEqual(Buffer.from(messages[0].body as Uint8Array), binary)
    assert.deepEqual(
      messages.slice(1).map(m => Buffer.from(m.body as Uint8Array).toString()),
      ['from stdin', 'from stdin', 'from stdin'],
    )
    assert.deepEqual(
      messages.slice(1).map(m => m.messageId),
      sent.messageIds,
    )
  })

  it('sends 5,000 messages in batches', async () => {
    const result = await fx.qjob(['send', '-q', 'bulk', 'x'.repeat(1024), '--count', '5000', '--json'])
    assert.equal(result.code, 0, result.stderr)
    const sent = JSON.parse(result.stdout) as {sent: number; batches: number}
    assert.equal(sent.sent, 5000)
    assert.ok(sent.batches > 1 && sent.batches < 100, `batches: ${sent.batches}`)
    assert.equal(fx.emulator.broker.runtimeCounts('bulk').activeMessageCount, 5000)
  })

  it('receives as NDJSON, completing each message after writing it (waits written as durations)', async () => {
    const sender = client.createSender('settle')
    await sender.sendMessages([{body: Buffer.from('one')}, {body: Buffer.from('two'), subject: 's2', applicationProperties: {n: 2}}])
    await sender.close()
    const result = await fx.qjob(['receive', '-q', 'settle', '-n', '2', '--ndjson', '--idle-timeout', '5s', '--timeout', '1m'])
    assert.equal(result.code, 0, result.stderr)
    const lines = ndjson(result.stdout)
    assert.deepEqual(
      lines.map(line => line.body),
      ['one', 'two'],
    )
    assert.equal(lines[1].subject, 's2')
    assert.deepEqual(lines[1].applicationProperties, {n: 2})
    assert.equal(lines[0].deliveryCount, 0)
    const again = await fx.qjob(['receive', '-q', 'settle', '--idle-timeout', '500ms', '--max-wait', 'PT2S', '--json'])
    assert.equal(again.code, 0, again.stderr)
    assert.deepEqual(JSON.parse(again.stdout), [])
  })

  it('receive --wait, the old name of --idle-timeout, still works and says so (--wait is a switch in scale and run-once)', async () => {
    // Not with --json: oclif keeps warnings out of JSON runs.
    const result = await fx.qjob(['receive', '-q', 'settle', '--wait', '200ms'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stderr, /"--wait" flag has been deprecated\. Use "--idle-timeout"/)
  })

  it('the connection --timeout and receive waits take the duration grammar; a bad one is exit 2 naming the flag', async () => {
    for (const [args, message] of [
      [['--timeout', 'soon'], /Parsing --timeout: invalid duration "soon"/],
      [['--timeout', '500ms'], /Parsing --timeout: "500ms" is too short: at least 1 s/],
      [['--max-wait', '0'], /Parsing --max-wait: "0" is too short/],
    ] as Array<[string[], RegExp]>) {
      const result = await fx.qjob(['receive', '-q', 'settle', ...args])
      assert.equal(result.code, 2, result.stderr)
      assert.match(result.stderr, message)
    }
  })

  it('--settle abandon puts the message back with its delivery count raised; dead-letter moves it', async () => {
    const sender = client.createSender('settle')
    await sender.sendMessages({body: Buffer.from('retry me')})
    await sender.close()
    let result = await fx.qjob(['receive', '-q', 'settle', '--settle', 'abandon', '--json'])
    assert.equal(result.code, 0, result.stderr)
    assert.equal((JSON.parse(result.stdout) as Array<{deliveryCount: number}>)[0].deliveryCount, 0)
    result = await fx.qjob([
      'receive',
      '-q',
      'settle',
      '--settle',
      'dead-letter',
      '--reason',
      'BadInput',
      '--description',
      'no size',
      '--json',
    ])
    assert.equal((JSON.parse(result.stdout) as Array<{deliveryCount: number}>)[0].deliveryCount, 1)
    result = await fx.qjob(['receive', '-q', 'settle', '--dead-letter', '--mode', 'receive-and-delete', '--json'])
    const [dead] = JSON.parse(result.stdout) as Array<Record<string, unknown>>
    assert.equal(dead.body, 'retry me')
    assert.equal(dead.deadLetterReason, 'BadInput')
    assert.equal(dead.deadLetterErrorDescription, 'no size')
  })

  it('--settle defer takes the message out of the normal flow', async () => {
    const sender = client.createSender('settle')
    await sender.sendMessages({body: Buffer.from('later')})
    await sender.close()
    const result = await fx.qjob(['receive', '-q', 'settle', '--settle', 'defer', '--ndjson'])
    assert.equal(result.code, 0, result.stderr)
    const again = await fx.qjob(['receive', '-q', 'settle', '--idle-timeout', '1', '--ndjson'])
    assert.equal(again.stdout, '')
  })

  it('a receive killed with SIGKILL loses nothing: what left the queue was printed', async () => {
    const sender = client.createSender('settle')
    // More than one receive batch, so the kill lands between writes.
    const total = 1200
    for (let i = 0; i < total; i += 400) {
      await sender.sendMessages(Array.from({length: 400}, (_, k) => ({body: Buffer.from(`job-${i + k}`), messageId: `k-${i + k}`})))
    }
    await sender.close()
    const {spawn} = await import('node:child_process')
    const {binPath} = await import('../helpers/cli.js')
    const child = spawn(process.execPath, [binPath, 'receive', '-q', 'settle', '-n', String(total), '--ndjson', '--idle-timeout', '5'], {
      cwd: fx.home,
      env: fx.env,
    })
    let stdout = ''
    child.stdout.setEncoding('utf8')
    await new Promise<void>(resolve => {
      child.stdout.on('data', chunk => {
        stdout += chunk
        if (stdout.split('\n').length > 40 && !child.killed) {
          child.kill('SIGKILL')
          resolve()
        }
      })
      child.on('exit', () => resolve())
    })
    await new Promise(resolve => child.on('close', resolve))
    const printed = new Set(ndjson(stdout.slice(0, stdout.lastIndexOf('\n') + 1)).map(line => line.messageId))
    assert.ok(printed.size >= 40 && printed.size < total, `printed ${printed.size}`)
    // Everything not completed comes back once its lock (2 s) expires.
    const receiver = client.createReceiver('settle', {receiveMode: 'receiveAndDelete', skipParsingBodyAsJson: true})
    const remaining = new Set<string>()
    while (remaining.size + printed.size < total) {
      const batch = await receiver.receiveMessages(200, {maxWaitTimeInMs: 5000})
      if (batch.length === 0) break
      for (const message of batch) remaining.add(String(message.messageId))
    }
    await receiver.close()
    for (let i = 0; i < total; i++) assert.ok(printed.has(`k-${i}`) || remaining.has(`k-${i}`), `k-${i} was lost`)
  })

  it('--ndjson send reads message objects; a bad line is exit 2 naming it and what was sent', async () => {
    const lines = [
      JSON.stringify({body: {a: 1}, subject: 'first', applicationProperties: {x: 1}}),
      JSON.stringify({body: 'text body', messageId: 'second', timeToLive: 60000}),
      JSON.stringify({body: Buffer.from([1, 2, 255]).toString('base64'), bodyEncoding: 'base64'}),
    ]
    let result = await fx.qjob(['send', '-q', 'replay', '--ndjson'], {input: `${lines.join('\n')}\n`})
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, 'Sent 3 messages to replay\n')

    result = await fx.qjob(['send', '-q', 'replay', '--ndjson', '--concurrency', '1'], {
      input: `${lines[0]}\n${lines[1]}\n{"body": oops}\n${lines[2]}\n`,
    })
    assert.equal(result.code, 2)
    assert.match(result.stderr, /^Error: line 3: not valid JSON .*\(0 messages were sent before the error\)\n$/)

    result = await fx.qjob(['send', '-q', 'replay', '--ndjson'], {input: `${lines[0]}\n{"body": 1, "colour": "red"}\n`})
    assert.equal(result.code, 2)
    assert.match(result.stderr, /^Error: line 2: unknown field "colour"/)
  })

  it('sessions: send with --session-id; receive a named session or the next available one, in order', async () => {
    for (const [session, body] of [
      ['a', 'a1'],
      ['b', 'b1'],
      ['a', 'a2'],
    ]) {
      const result = await fx.qjob(['send', '-q', 'orders', body, '--session-id', session])
      assert.equal(result.code, 0, result.stderr)
    }
    let result = await fx.qjob(['receive', '-q', 'orders', '--session-id', 'a', '-n', '5', '--idle-timeout', '2', '--ndjson'])
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(
      ndjson(result.stdout).map(line => [line.sessionId, line.body]),
      [
        ['a', 'a1'],
        ['a', 'a2'],
      ],
    )
    result = await fx.qjob(['receive', '-q', 'orders', '--next-session', '--ndjson'])
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(
      ndjson(result.stdout).map(line => [line.sessionId, line.body]),
      [['b', 'b1']],
    )
    result = await fx.qjob(['send', '-q', 'orders', 'no session'])
    assert.equal(result.code, 2)
    assert.match(result.stderr, /^Error: queue "orders" requires sessions: every message needs a session id\nHint: Pass --session-id/)
  })

  it('an oversize message is exit 2 naming its size and the limit', async () => {
    const result = await fx.qjob(['send', '-q', 'tiny', 'x'.repeat(5000)])
    assert.equal(result.code, 2)
    assert.match(result.stderr, /^Error: message 1 is too large: about 5000 bytes, the queue accepts at most \d+ bytes/)
  })

  it('errors: no connection (2, naming qjob emulator env), unknown queue (3), Listen-only key sending (4)', async () => {
    let result = await fx.qjob(['send', '-q', 'jobs', 'x'], {env: {SERVICEBUS_CONNECTION_STRING: ''}})
    assert.equal(result.code, 2)
    assert.match(result.stderr, /no Service Bus connection configured\nHint: .*qjob emulator env/)

    result = await fx.qjob(['send', '-q', 'no-such-queue', 'x'])
    assert.equal(result.code, 3, result.stderr)
    assert.match(result.stderr, /^Error: queue "no-such-queue" was not found/)

    const listen = fx.emulator.connectionStringFor('workers', 'listen-only')
    result = await fx.qjob(['send', '-q', 'listen-only', 'x'], {env: {SERVICEBUS_CONNECTION_STRING: listen}})
    assert.equal(result.code, 4, result.stderr)
    assert.match(result.stderr, /^Error: not authorised/)
    assert.ok(!result.stderr.includes('workers-key-0123456789'))

    result = await fx.qjob(['send', 'x'])
    assert.equal(result.code, 2)
    assert.match(result.stderr, /^Error: no queue given/)
  })

  it('an unreachable namespace fails with exit 1 in bounded time', async () => {
    const {createServer} = await import('node:net')
    const server = createServer()
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const {port} = server.address() as {port: number}
    await new Promise(resolve => server.close(resolve))
    const started = Date.now()
    const result = await fx.qjob(['send', '-q', 'jobs', 'x', '--timeout', '3'], {
      env: {
        SERVICEBUS_CONNECTION_STRING: `Endpoint=sb://127.0.0.1:${port};SharedAccessKeyName=k;SharedAccessKey=secretvalue123;UseDevelopmentEmulator=true`,
      },
    })
    assert.equal(result.code, 1, result.stderr)
    assert.match(result.stderr, /^Error: cannot reach Service Bus/)
    assert.ok(!result.stderr.includes('secretvalue123'))
    assert.ok(Date.now() - started < 30_000)
  })
})
