// Issue 17 item 12: SIGTERM while a client settles must stop the emulator. The child process only
// closes the emulator on SIGTERM (no process.exit): it exits only if nothing of the emulator is
// left running - rhea's heartbeat timers, re-armed by settlements finishing after the sockets
// are gone, used to keep it alive for good.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {once} from 'node:events'
import {join} from 'node:path'
import {createInterface} from 'node:readline'
import {test} from 'node:test'

import {ServiceBusClient} from '@azure/service-bus'

import {repoRoot} from '../helpers/cli.js'

const EXIT_WITHIN_MS = 15_000

test('SIGTERM while a client is settling: the emulator closes its links and the process exits', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'test/emulator/fixtures/stop-while-settling.ts')], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const lines = createInterface({input: child.stdout!})
  const [first] = (await once(lines, 'line')) as [string]
  const {connectionString} = JSON.parse(first) as {connectionString: string}
  const client = new ServiceBusClient(connectionString, {retryOptions: {maxRetries: 0, timeoutInMs: 5000}})
  try {
    const sender = client.createSender('jobs')
    await sender.sendMessages(Array.from({length: 50}, (_, i) => ({body: i})))
    const receiver = client.createReceiver('jobs')
    const messages = await receiver.receiveMessages(50, {maxWaitTimeInMs: 5000})
    assert.ok(messages.length > 0)
    // Settlements in flight as the signal lands.
    const settling = Promise.allSettled(messages.map(message => receiver.completeMessage(message)))
    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_WITHIN_MS)
    const [code, signal] = (await exited) as [number | null, string | null]
    clearTimeout(timer)
    await settling
    assert.equal(signal, null, `the emulator did not exit within ${EXIT_WITHIN_MS} ms of SIGTERM (killed)`)
    assert.equal(code, 0)
  } finally {
    await client.close().catch(() => {})
    if (child.exitCode === null) child.kill('SIGKILL')
  }
})
