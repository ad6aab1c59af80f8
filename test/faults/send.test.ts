// Issue 16, items 7 and 8: `send` on a slow stream sends as it goes (--linger), and a signal or a
// lost connection mid-run reports how many were sent.
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'

import {type MessagingFixture, startMessagingFixture} from '../messaging/helpers.js'
import {start, startCuttableProxy, until} from './helpers.js'

const line = (i: number) => `${JSON.stringify({body: `line-${i}`})}\n`

describe('qjob send under faults', () => {
  let fx: MessagingFixture
  before(async () => {
    fx = await startMessagingFixture([{name: 'slow'}, {name: 'signal'}, {name: 'signal-json'}, {name: 'cut'}, {name: 'empty'}])
  })
  after(async () => {
    await fx.stop()
  })
  const active = (queue: string) => fx.emulator.broker.runtimeCounts(queue).activeMessageCount

  it('--ndjson on a slow stream sends each partial batch after the linger, not at the end', async () => {
    const running = start(['send', '-q', 'slow', '--ndjson'], {cwd: fx.home, env: fx.env})
    running.child.stdin.write(line(1) + line(2) + line(3))
    // The input is still open: the three lines must arrive anyway.
    await until(() => active('slow') === 3 || running.child.exitCode !== null, 'the three lines to be sent', 20_000)
    assert.equal(active('slow'), 3, running.stderr())
    running.child.stdin.write(line(4))
    await until(() => active('slow') === 4, 'the fourth line to be sent', 20_000)
    running.child.stdin.end()
    const result = await running.exit()
    assert.equal(result.code, 0, running.stderr())
    assert.equal(running.stdout(), 'Sent 4 messages to slow\n')
  })

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal} during send --ndjson stops reading, sends what it read, says how many, exits ${code}`, async () => {
      const queue = signal === 'SIGINT' ? 'signal' : 'signal-json'
      const json = signal === 'SIGTERM'
      const running = start(['send', '-q', queue, '--ndjson', '--linger', '1h', ...(json ? ['--json'] : [])], {cwd: fx.home, env: fx.env})
      running.child.stdin.write(line(1) + line(2) + line(3) + line(4) + line(5))
      await until(() => fx.emulator.connectionCount() > 0, 'send to connect')
      running.child.kill(signal)
      const result = await running.exit()
      assert.equal(result.code, code, `${result.signal} ${running.stderr()}`)
      const sent = active(queue)
      if (json) {
        const report = JSON.parse(running.stdout()) as {sent: number; stoppedBy: string; lastLine?: number}
        assert.equal(report.sent, sent)
        assert.equal(report.stoppedBy, signal)
        if (sent > 0) assert.equal(report.lastLine, sent)
      } else {
        assert.match(running.stdout(), new RegExp(`^Sent ${sent} messages? to ${queue}`))
        assert.match(running.stderr(), new RegExp(`Stopped by ${signal}: stopped reading; the messages already read were sent`))
      }
      running.child.stdin.destroy()
    })
  }

  it('a connection lost mid-run says how many messages were sent before the error', async () => {
    const proxy = await startCuttableProxy(fx.emulator.port)
    try {
      const env = {...fx.env, SERVICEBUS_CONNECTION_STRING: fx.emulator.connectionString.replace(`:${fx.emulator.port}`, `:${proxy.port}`)}
      const running = start(['send', '-q', 'cut', '--ndjson', '--timeout', '2'], {cwd: fx.home, env})
      running.child.stdin.write(line(1) + line(2) + line(3))
      await until(() => active('cut') === 3, 'the first lines to be sent', 20_000)
      // The broker counts them once durable; the client counts them once the accept arrives.
      await proxy.quiet(300)
      proxy.cut()
      running.child.stdin.end(line(4))
      const result = await running.exit(120_000)
      assert.equal(result.code, 1, running.stderr())
      assert.match(running.stderr(), /^Error: .*\(3 messages were sent before the error, up to line 3\)\n/)
    } finally {
      proxy.close()
    }
  })

  it('empty stdin is exit 2 unless --allow-empty', async () => {
    let result = await fx.qjob(['send', '-q', 'empty'], {input: ''})
    assert.equal(result.code, 2, result.stderr)
    assert.match(result.stderr, /^Error: the message body is empty \(stdin had nothing\)/)
    assert.equal(active('empty'), 0)
    result = await fx.qjob(['send', '-q', 'empty', '--allow-empty'], {input: ''})
    assert.equal(result.code, 0, result.stderr)
    assert.equal(active('empty'), 1)
  })

  it('--count with one --message-id warns that duplicate detection keeps one', async () => {
    const result = await fx.qjob(['send', '-q', 'empty', 'x', '--count', '3', '--message-id', 'same'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stderr, /Warning: all 3 messages get message id "same": a queue with duplicate detection keeps only the first/)
  })
})

describe('qjob send --count under signals', () => {
  let fx: MessagingFixture
  before(async () => {
    fx = await startMessagingFixture([{name: 'count'}])
  })
  after(async () => {
    await fx.stop()
  })
  const active = (queue: string) => fx.emulator.broker.runtimeCounts(queue).activeMessageCount

  it('SIGINT during send --count says how many were sent and exits 130', async () => {
    const running = start(['send', '-q', 'count', 'x', '--count', '200000', '--concurrency', '1'], {cwd: fx.home, env: fx.env, input: ''})
    await until(() => active('count') > 0, 'the first batch', 30_000)
    running.child.kill('SIGINT')
    const result = await running.exit(60_000)
    assert.equal(result.code, 130, running.stderr())
    const sent = active('count')
    assert.ok(sent < 200_000, 'it finished before the signal')
    assert.equal(running.stdout(), `Sent ${sent} messages to count\n`)
    assert.match(running.stderr(), /Stopped by SIGINT/)
  })
})
