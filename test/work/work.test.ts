import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {ServiceBusClient, type ServiceBusMessage} from '@azure/service-bus'

import {binPath} from '../helpers/cli.js'
import {type MessagingFixture, startMessagingFixture} from '../messaging/helpers.js'

async function waitForFile(path: string, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs
  while (!existsSync(path) || readFileSync(path, 'utf8') === '') {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${path}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  return readFileSync(path, 'utf8')
}

describe('qjob work against the emulator', () => {
  let fx: MessagingFixture
  let client: ServiceBusClient
  before(async () => {
    fx = await startMessagingFixture([
      {name: 'ok'},
      {name: 'retry', maxDeliveryCount: 5},
      {name: 'poison', maxDeliveryCount: 3},
      {name: 'fatal'},
      {name: 'slow', lockDuration: 'PT2S'},
      {name: 'drain'},
      {name: 'queued'},
      {name: 'crash', lockDuration: 'PT2S'},
      {name: 'routes'},
      {name: 'parallel'},
      {name: 'wide'},
      {name: 'mixed'},
    ])
    client = new ServiceBusClient(fx.emulator.connectionString, {retryOptions: {maxRetries: 0, timeoutInMs: 10_000}})
  })
  after(async () => {
    await client.close()
    await fx.stop()
  })

  const send = async (queue: string, messages: ServiceBusMessage[]) => {
    const sender = client.createSender(queue)
    await sender.sendMessages(messages)
    await sender.close()
  }
  const counts = (queue: string) => fx.emulator.broker.runtimeCounts(queue)
  const work = (queue: string, ...args: string[]) => fx.qjob(['work', '-q', queue, '--exit-when-empty', ...args])
  /** Runs `qjob work` until the job writes `marker`, then sends SIGTERM and waits for the exit. */
  const workUntilSigterm = async (queue: string, command: string, marker: string) => {
    const child = spawn(process.execPath, [binPath, 'work', '-q', queue, '--exec', command], {cwd: fx.home, env: fx.env})
    let stderr = ''
    child.stderr.on('data', chunk => (stderr += chunk))
    await waitForFile(marker)
    child.kill('SIGTERM')
    const code = await new Promise(resolve => child.on('close', resolve))
    return {code, stderr}
  }

  it('runs the command with the body on stdin and the fields in the environment, then completes', async () => {
    await send('ok', [
      {body: Buffer.from('first'), subject: 'greet', applicationProperties: {tenant: 'acme', 'order-id': 7}},
      {body: Buffer.from('second'), subject: 'greet'},
    ])
    const out = join(fx.home, 'ok.txt')
    const result = await work(
      'ok',
      '--exec',
      `{ cat; echo " $QJOB_SUBJECT $QJOB_DELIVERY_COUNT $QJOB_PROP_TENANT $QJOB_PROP_ORDER_ID $QJOB_SEQUENCE_NUMBER"; } >> ${out}`,
    )
    assert.equal(result.code, 0, result.stderr)
    assert.equal(readFileSync(out, 'utf8'), 'first greet 0 acme 7 1\nsecond greet 0   2\n')
    assert.equal(counts('ok').activeMessageCount, 0)
    const jobs = result.stderr.split('\n').filter(line => line.startsWith('at=job'))
    assert.equal(jobs.length, 2)
    assert.match(jobs[0], /^at=job id=\S+ seq=1 subject=greet attempt=1 outcome=completed exit=0 duration_ms=\d+$/)
    assert.match(result.stderr, /at=summary processed=2 completed=2 abandoned=0 dead_lettered=0\n$/)
  })

  it('a failure is abandoned and succeeds on redelivery', async () => {
    await send('retry', [{body: Buffer.from('flaky')}])
    const result = await work('retry', '--exec', '[ "$QJOB_DELIVERY_COUNT" -ge 1 ]', '--json')
    assert.equal(result.code, 0, result.stderr)
    const lines = result.stderr
      .trim()
      .split('\n')
      .map(line => JSON.parse(line) as Record<string, unknown>)
    const jobs = lines.filter(line => line.at === 'job')
    assert.deepEqual(
      jobs.map(job => [job.attempt, job.outcome, job.exit]),
      [
        [1, 'abandoned', 1],
        [2, 'completed', 0],
      ],
    )
    assert.deepEqual(lines.at(-1), {at: 'summary', processed: 2, completed: 1, abandoned: 1, dead_lettered: 0})
    assert.equal(counts('retry').activeMessageCount, 0)
  })

  it('a poison message is dead-lettered by the max delivery count', async () => {
    await send('poison', [{body: Buffer.from('bad')}])
    const result = await work('poison', '--exec', 'exit 3')
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stderr.match(/outcome=abandoned/g)?.length, 3)
    assert.deepEqual([counts('poison').activeMessageCount, counts('poison').deadLetterMessageCount], [0, 1])
    const receiver = client.createReceiver('poison', {subQueueType: 'deadLetter'})
    const [dead] = await receiver.receiveMessages(1, {maxWaitTimeInMs: 3000})
    await receiver.completeMessage(dead)
    await receiver.close()
    assert.equal(dead.deadLetterReason, 'MaxDeliveryCountExceeded')
  })

  it('--dead-letter-on dead-letters at once with ExitCode<N> and the stderr tail', async () => {
    await send('fatal', [{body: Buffer.from('x')}])
    const result = await work('fatal', '--exec', 'echo "line one" >&2; echo "invalid payload" >&2; exit 65', '--dead-letter-on', '2,65')
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stderr, /outcome=dead-lettered exit=65 reason=ExitCode65/)
    const receiver = client.createReceiver('fatal', {subQueueType: 'deadLetter'})
    const [dead] = await receiver.receiveMessages(1, {maxWaitTimeInMs: 3000})
    await receiver.close()
    assert.equal(dead.deadLetterReason, 'ExitCode65')
    assert.equal(dead.deadLetterErrorDescription, 'line one\ninvalid payload')
    assert.equal(dead.deliveryCount, 0)
  })

  it('routes by subject; an unknown subject with no --exec is dead-lettered NoRoute', async () => {
    await send('routes', [
      {body: Buffer.from('1'), subject: 'a'},
      {body: Buffer.from('2'), subject: 'b'},
      {body: Buffer.from('3'), subject: 'c'},
    ])
    const out = join(fx.home, 'routes.txt')
    const result = await work('routes', '--route', `a=echo A >> ${out}`, '--route', `b=echo B >> ${out}`)
    assert.equal(result.code, 0, result.stderr)
    assert.equal(readFileSync(out, 'utf8'), 'A\nB\n')
    assert.match(result.stderr, /subject=c attempt=1 outcome=dead-lettered reason=NoRoute/)
    assert.equal(counts('routes').deadLetterMessageCount, 1)
  })

  // rhea merges dispositions queued in one tick into ranges and checks outcomes only from a range's
  // second member: a complete and a dead-letter of adjacent deliveries went out as two completes.
  it('completions and dead-letters settled together keep their own outcomes', async () => {
    await send(
      'mixed',
      Array.from({length: 12}, (_, i) => ({body: Buffer.from(String(i)), subject: i % 2 === 0 ? 'ok' : 'unrouted'})),
    )
    const result = await work('mixed', '--route', 'ok=true')
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stderr, /at=summary processed=12 completed=6 abandoned=0 dead_lettered=6/)
    assert.equal(counts('mixed').deadLetterMessageCount, 6)
    assert.equal(counts('mixed').activeMessageCount, 0)
  })

  it('--concurrency runs that many jobs at once, no more', async () => {
    await send(
      'parallel',
      Array.from({length: 6}, (_, i) => ({body: Buffer.from(String(i))})),
    )
    const log = join(fx.home, 'parallel.log')
    const started = Date.now()
    const result = await work(
      'parallel',
      '--concurrency',
      '3',
      '--exec',
      `echo "start $(date +%s%N)" >> ${log}; sleep 0.6; echo "end $(date +%s%N)" >> ${log}`,
    )
    assert.equal(result.code, 0, result.stderr)
    const events = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map(line => line.split(' '))
      .sort((x, y) => Number(BigInt(x[1]) - BigInt(y[1])))
    let running = 0
    let peak = 0
    for (const [kind] of events) {
      running += kind === 'start' ? 1 : -1
      peak = Math.max(peak, running)
    }
    assert.equal(peak, 3)
    assert.ok(Date.now() - started < 20_000)
    assert.equal(counts('parallel').activeMessageCount, 0)
  })

  it('more than ten jobs at once, each writing output: every line comes through and nothing but the log on stderr', async () => {
    await send(
      'wide',
      Array.from({length: 24}, (_, i) => ({body: Buffer.from(String(i))})),
    )
    const result = await work('wide', '--concurrency', '16', '--exec', 'sleep 0.3; echo "out $(cat)"; echo "err line" >&2')
    assert.equal(result.code, 0, result.stderr)
    const out = result.stdout
      .trim()
      .split('\n')
      .sort((x, y) => Number(x.split(' ')[1]) - Number(y.split(' ')[1]))
    assert.deepEqual(
      out,
      Array.from({length: 24}, (_, i) => `out ${i}`),
    )
    // Node's own warnings (e.g. MaxListenersExceededWarning from one listener per running job) are noise.
    const stray = result.stderr.split('\n').filter(line => line !== '' && line !== 'err line' && !line.startsWith('at='))
    assert.deepEqual(stray, [])
  })

  it('a job longer than the lock duration is kept alive by lock renewal', async () => {
    await send('slow', [{body: Buffer.from('long job')}])
    const result = await work('slow', '--exec', 'sleep 5')
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stderr, /attempt=1 outcome=completed/)
    assert.doesNotMatch(result.stderr, /attempt=2/)
    assert.equal(counts('slow').activeMessageCount, 0)
  })

  it('SIGTERM stops taking messages and lets the running job finish, then exits 0', async () => {
    await send('drain', [{body: Buffer.from('one')}, {body: Buffer.from('two')}])
    const marker = join(fx.home, 'drain-started')
    const done = join(fx.home, 'drain-done')
    const {code, stderr} = await workUntilSigterm('drain', `echo go > ${marker}; sleep 1; cat >> ${done}`, marker)
    assert.equal(code, 0, stderr)
    assert.equal(readFileSync(done, 'utf8'), 'one')
    assert.match(stderr, /at=worker event=stopping signal=SIGTERM/)
    assert.match(stderr, /at=summary processed=1 completed=1/)
    assert.equal(counts('drain').activeMessageCount, 1)
  })

  it('SIGTERM hands back at once, unstarted, the short jobs that waited in the job host for a slot', async () => {
    const bodies = ['f1', 'f2', 'f3', 'slow', 'w1', 'w2', 'w3']
    await send(
      'queued',
      bodies.map(body => ({body: Buffer.from(body)})),
    )
    const started = join(fx.home, 'queued-started')
    const marker = join(fx.home, 'queued-slow')
    // The quick jobs make the worker queue messages ahead in the host; `slow` holds the only slot.
    const command = `b=$(cat); echo "$b" >> ${started}; if [ "$b" = slow ]; then echo go > ${marker}; sleep 1; fi`
    const {code, stderr} = await workUntilSigterm('queued', command, marker)
    assert.equal(code, 0, stderr)
    assert.deepEqual(readFileSync(started, 'utf8').trim().split('\n'), ['f1', 'f2', 'f3', 'slow'])
    assert.match(stderr, /at=summary processed=4 completed=4 abandoned=0/)
    assert.equal(counts('queued').activeMessageCount, 3)
  })

  it('kill -9 of the worker loses nothing: the message comes back when its lock expires', async () => {
    await send('crash', [{body: Buffer.from('survivor'), messageId: 'survivor'}])
    const pidFile = join(fx.home, 'crash-job.pid')
    const child = spawn(process.execPath, [binPath, 'work', '-q', 'crash', '--exec', `echo $$ > ${pidFile}; exec sleep 30`], {
      cwd: fx.home,
      env: fx.env,
    })
    const jobPid = Number((await waitForFile(pidFile)).trim())
    child.kill('SIGKILL')
    await new Promise(resolve => child.on('close', resolve))
    // The job dies with the worker (test/faults/work.test.ts); make sure of it here either way.
    try {
      process.kill(-jobPid, 'SIGKILL')
    } catch {
      // already gone
    }
    const receiver = client.createReceiver('crash')
    const [message] = await receiver.receiveMessages(1, {maxWaitTimeInMs: 10_000})
    await receiver.completeMessage(message)
    await receiver.close()
    assert.equal(message.messageId, 'survivor')
    assert.equal(message.deliveryCount, 1)
  })

  it('bad usage is exit 2', async () => {
    for (const args of [
      [],
      ['--exec', 'true', '--route', 'nosubject'],
      ['--exec', 'true', '--dead-letter-on', '0'],
      ['--exec', 'true', '--timeout', 'soon'],
    ]) {
      const result = await fx.qjob(['work', '-q', 'ok', ...args])
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`)
    }
  })
})
