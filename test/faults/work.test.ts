// Issue 16, items 3-5: `qjob work` under kill -9, SIGTERM with every slot busy, and a lost
// connection; and the job host (the small process that starts jobs) killed, alone or with the
// worker, and the worker's stdout closed while a job writes.
import assert from 'node:assert/strict'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {ServiceBusClient} from '@azure/service-bus'

import {type MessagingFixture, startMessagingFixture} from '../messaging/helpers.js'
import {closeAfterFirstLine, fileText, groupGone, start, startCuttableProxy, until} from './helpers.js'

describe('qjob work under faults', () => {
  let fx: MessagingFixture
  let client: ServiceBusClient
  before(async () => {
    fx = await startMessagingFixture([
      {name: 'orphans', lockDuration: 'PT2S'},
      {name: 'busy'},
      {name: 'flaky'},
      {name: 'host-killed'},
      {name: 'both-killed', lockDuration: 'PT2S'},
      {name: 'pipe-closed', lockDuration: 'PT2S'},
    ])
    client = new ServiceBusClient(fx.emulator.connectionString, {retryOptions: {maxRetries: 0, timeoutInMs: 10_000}})
  })
  after(async () => {
    await client.close()
    await fx.stop()
  })

  const send = async (queue: string, bodies: string[]) => {
    const sender = client.createSender(queue)
    await sender.sendMessages(bodies.map(body => ({body: Buffer.from(body)})))
    await sender.close()
  }

  it('kill -9 of the worker kills its running jobs too (no job runs twice at once)', async () => {
    await send('orphans', ['one'])
    const pidFile = join(fx.home, 'orphan.pid')
    const worker = start(['work', '-q', 'orphans', '--exec', `echo $$ > ${pidFile}; sleep 60 & wait`], {cwd: fx.home, env: fx.env})
    await until(() => fileText(pidFile).endsWith('\n'), 'the job to start')
    const jobPid = Number(fileText(pidFile).trim())
    worker.child.kill('SIGKILL')
    await worker.exit()
    // The job and what it started (the background sleep) go with the worker (the job leads its group).
    await until(() => groupGone(jobPid), "the job's process group to die")
    assert.equal(groupGone(jobPid), true)
  })

  /** The pids a job wrote with `echo $$ $PPID`: the job's shell and the job host that started it. */
  const jobAndHost = (pidFile: string) => fileText(pidFile).trim().split(' ').map(Number)

  it('kill -9 of the job host kills its running job; the message comes back and a new host runs it', async () => {
    await send('host-killed', ['one'])
    const pidFile = join(fx.home, 'host-killed.pid')
    const again = join(fx.home, 'host-killed.again')
    const command = `if [ "$QJOB_DELIVERY_COUNT" = 0 ]; then echo $$ $PPID > ${pidFile}; sleep 60; else cat > ${again}; fi`
    const worker = start(['work', '-q', 'host-killed', '--exec', command], {cwd: fx.home, env: fx.env})
    await until(() => fileText(pidFile).endsWith('\n'), 'the job to start')
    const [jobPid, hostPid] = jobAndHost(pidFile)
    assert.notEqual(hostPid, worker.child.pid, 'the job is started by the host, not the worker')
    process.kill(hostPid, 'SIGKILL')
    await until(() => groupGone(jobPid), "the job's process group to die")
    await until(() => fileText(again) === 'one', 'the message to run again')
    assert.equal(worker.child.exitCode, null, worker.stderr())
    worker.child.kill('SIGTERM')
    const result = await worker.exit()
    assert.equal(result.code, 0, worker.stderr())
    assert.match(worker.stderr(), /at=job .*attempt=1 outcome=abandoned signal=SIGKILL/)
    assert.match(worker.stderr(), /at=job .*attempt=2 outcome=completed exit=0/)
    assert.match(worker.stderr(), /at=summary processed=2 completed=1 abandoned=1/)
  })

  it('kill -9 of the worker and the job host at once still kills the running job', async () => {
    await send('both-killed', ['one'])
    const pidFile = join(fx.home, 'both-killed.pid')
    const worker = start(['work', '-q', 'both-killed', '--exec', `echo $$ $PPID > ${pidFile}; sleep 60 & wait`], {
      cwd: fx.home,
      env: fx.env,
    })
    await until(() => fileText(pidFile).endsWith('\n'), 'the job to start')
    const [jobPid, hostPid] = jobAndHost(pidFile)
    worker.child.kill('SIGKILL')
    process.kill(hostPid, 'SIGKILL')
    await worker.exit()
    await until(() => groupGone(jobPid), "the job's process group to die")
  })

  it("the worker's stdout closed while a job writes: exit 141 and the message is not completed", async () => {
    await send('pipe-closed', ['one'])
    const worker = start(['work', '-q', 'pipe-closed', '--exec', 'echo first; while :; do sleep 0.1; echo more; done'], {
      cwd: fx.home,
      env: fx.env,
    })
    assert.equal(await closeAfterFirstLine(worker), 'first')
    const result = await worker.exit()
    assert.equal(result.code, 141, worker.stderr())
    assert.doesNotMatch(worker.stderr(), /outcome=completed/)
    const receiver = client.createReceiver('pipe-closed')
    const [back] = await receiver.receiveMessages(1, {maxWaitTimeInMs: 10_000})
    assert.equal(back?.body.toString(), 'one', 'the message comes back when its lock expires')
    await receiver.completeMessage(back)
    await receiver.close()
  })

  it('SIGTERM with every slot busy still honours --drain-timeout (the clock starts at the signal)', async () => {
    await send('busy', ['long'])
    const marker = join(fx.home, 'busy-started')
    const worker = start(['work', '-q', 'busy', '--drain-timeout', '1s', '--exec', `echo go > ${marker}; sleep 30`], {
      cwd: fx.home,
      env: fx.env,
    })
    await until(() => fileText(marker) !== '', 'the job to start')
    worker.child.kill('SIGTERM')
    const result = await worker.exit(60_000)
    assert.equal(result.code, 0, worker.stderr())
    assert.match(worker.stderr(), /at=worker event=drain-timeout killing=1/)
    assert.match(worker.stderr(), /at=job .*outcome=abandoned .*signal=SIGTERM/)
    assert.match(worker.stderr(), /at=summary processed=1 completed=0 abandoned=1/)
  })

  it('a lost connection is retried with a logged backoff; the worker goes on and keeps its summary', async () => {
    const proxy = await startCuttableProxy(fx.emulator.port)
    try {
      const env = {...fx.env, SERVICEBUS_CONNECTION_STRING: fx.emulator.connectionString.replace(`:${fx.emulator.port}`, `:${proxy.port}`)}
      const out = join(fx.home, 'flaky.txt')
      const worker = start(['work', '-q', 'flaky', '--connection-timeout', '2', '--exec', `cat >> ${out}`], {cwd: fx.home, env})
      await until(() => worker.stderr().includes('event=start'), 'the worker to start')
      await send('flaky', ['before'])
      await until(() => worker.stderr().includes('outcome=completed'), 'the first job to be completed')
      proxy.cut()
      await until(() => worker.stderr().includes('event=reconnect') || worker.child.exitCode !== null, 'a reconnect attempt', 60_000)
      assert.equal(worker.child.exitCode, null, `the worker exited: ${worker.stderr()}`)
      assert.match(worker.stderr(), /at=worker event=reconnect attempt=1 in_ms=1000 error=/)
      proxy.restore()
      await send('flaky', ['after'])
      await until(() => fileText(out) === 'beforeafter', 'the job after the reconnect', 60_000)
      worker.child.kill('SIGTERM')
      const result = await worker.exit(60_000)
      assert.equal(result.code, 0, worker.stderr())
      assert.match(worker.stderr(), /at=summary processed=2 completed=2/)
    } finally {
      proxy.close()
    }
  })
})
