// `qjob emulator start/status/env/stop` as a user runs them (bin/run.js in a child process, an
// isolated HOME, a temp data dir, --port 0). Every test stops what it starts.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {once} from 'node:events'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {join} from 'node:path'
import {createInterface} from 'node:readline'
import {after, before, describe, test} from 'node:test'

import {ServiceBusClient} from '@azure/service-bus'

import {binPath, cleanEnv, runCli, tempDir} from '../helpers/cli.js'
import {FAST_FAIL} from './helpers.js'

let home: ReturnType<typeof tempDir>
const run = (args: string[]) => runCli(args, {home: home.path, env: cleanEnv(home.path)})

before(() => {
  home = tempDir('qjob-emu-cli-')
})
after(() => home.cleanup())

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('qjob emulator', () => {
  test('start in the background, status with counts, env, stop', async () => {
    const dataDir = join(home.path, 'data-1')
    const config = join(home.path, 'emulator.json')
    writeFileSync(config, JSON.stringify({queues: [{name: 'jobs', maxDeliveryCount: 3}, {name: 'other'}]}))
    const started = await run(['emulator', 'start', '--data-dir', dataDir, '--port', '0', '--config', config, '--json'])
    let pid: number | undefined
    try {
      assert.equal(started.code, 0, started.stderr)
      const info = JSON.parse(started.stdout)
      pid = info.pid as number
      assert.ok(pidAlive(pid), 'the emulator runs after start returned')
      // Started with the memory settings of process-tuning.ts (Linux shows them in /proc).
      if (process.platform === 'linux') {
        assert.ok(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('--max-semi-space-size=4'))
        const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')
        assert.ok(environ.includes('MALLOC_MMAP_THRESHOLD_=262144'))
        assert.ok(environ.includes('MALLOC_TRIM_THRESHOLD_=8388608'))
      }
      assert.ok(existsSync(join(dataDir, 'emulator.json')))
      assert.doesNotMatch(started.stdout + started.stderr, /SharedAccessKey=/, 'start never prints the key')

      const env = await run(['emulator', 'env', '--data-dir', dataDir])
      assert.equal(env.code, 0, env.stderr)
      const match =
        /^export SERVICEBUS_CONNECTION_STRING='(Endpoint=sb:\/\/127\.0\.0\.1:(\d+);SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=[^;']+;UseDevelopmentEmulator=true)'$/m.exec(
          env.stdout,
        )
      assert.ok(match, env.stdout)
      assert.equal(Number(match[2]), info.services.servicebus.port)
      const envJson = JSON.parse((await run(['emulator', 'env', '--data-dir', dataDir, '--json'])).stdout)
      assert.equal(envJson.SERVICEBUS_CONNECTION_STRING, match[1])

      const client = new ServiceBusClient(match[1], FAST_FAIL)
      await client.createSender('jobs').sendMessages([{body: 1}, {body: 2}])
      const [message] = await client.createReceiver('jobs').receiveMessages(1, {maxWaitTimeInMs: 5000})
      await client
        .createReceiver('jobs')
        .deadLetterMessage(message)
        .catch(() => {})
      await client.close()

      const status = await run(['emulator', 'status', '--data-dir', dataDir, '--json'])
      assert.equal(status.code, 0, status.stderr)
      const report = JSON.parse(status.stdout)
      assert.equal(report.pid, pid)
      const jobs = report.services.servicebus.queues.find((queue: {name: string}) => queue.name === 'jobs')
      assert.equal(jobs.counts.active + jobs.counts.deadLetter, 2)
      const human = await run(['emulator', 'status', '--data-dir', dataDir])
      assert.match(human.stdout, new RegExp(`Emulator running \\(pid ${pid}\\)`))
      assert.match(human.stdout, /QUEUE\s+ACTIVE\s+DEAD-LETTER/)
      assert.match(human.stdout, /^jobs\s+\d+\s+\d+/m)
      assert.match(human.stdout, /^other\s+0\s+0/m)

      const again = await run(['emulator', 'start', '--data-dir', dataDir, '--port', '0'])
      assert.equal(again.code, 1)
      assert.match(again.stderr, /already running \(pid \d+\)/)
    } finally {
      const stopped = await run(['emulator', 'stop', '--data-dir', dataDir])
      assert.equal(stopped.code, 0, stopped.stderr)
      assert.match(stopped.stdout, /Stopped the emulator/)
    }
    assert.ok(pid && !pidAlive(pid), 'the emulator process is gone')
    assert.ok(!existsSync(join(dataDir, 'emulator.json')), 'the state file is removed')
    const status = await run(['emulator', 'status', '--data-dir', dataDir])
    assert.equal(status.code, 3)
    assert.match(status.stderr, /^Error: the emulator is not running/)
    const env = await run(['emulator', 'env', '--data-dir', dataDir])
    assert.equal(env.code, 3)
    const stopAgain = await run(['emulator', 'stop', '--data-dir', dataDir])
    assert.equal(stopAgain.code, 0)
    assert.match(stopAgain.stdout, /not running/)
  })

  test('--foreground runs until SIGTERM and cleans up', async () => {
    const dataDir = join(home.path, 'data-fg')
    const child = spawn(
      process.execPath,
      [binPath, 'emulator', 'start', '--foreground', '--in-memory', '--port', '0', '--data-dir', dataDir],
      {
        cwd: home.path,
        env: cleanEnv(home.path),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    try {
      const lines = createInterface({input: child.stdout!})
      const [first] = (await once(lines, 'line')) as [string]
      assert.match(first, /^Emulator running \(pid \d+\), messages in memory/)
      const status = await run(['emulator', 'status', '--data-dir', dataDir, '--json'])
      assert.equal(JSON.parse(status.stdout).pid, child.pid)
      assert.equal(JSON.parse(status.stdout).inMemory, true)
    } finally {
      child.kill('SIGTERM')
    }
    const [code] = await once(child, 'exit')
    assert.equal(code, 0)
    assert.ok(!existsSync(join(dataDir, 'emulator.json')))
  })

  test('a bad config and a busy port fail with one line and the right exit code', async () => {
    const bad = join(home.path, 'bad.json')
    writeFileSync(bad, JSON.stringify({queues: [{name: 'jobs', lockDuration: 'soon'}]}))
    const badConfig = await run(['emulator', 'start', '--data-dir', join(home.path, 'data-bad'), '--port', '0', '--config', bad])
    assert.equal(badConfig.code, 2, badConfig.stderr)
    assert.match(badConfig.stderr, /lockDuration must be an ISO 8601 duration/)
    assert.doesNotMatch(badConfig.stderr, /\n\s+at /, 'no stack trace')

    const blocker = createServer()
    blocker.listen(0, '127.0.0.1')
    await once(blocker, 'listening')
    const port = (blocker.address() as {port: number}).port
    try {
      const busy = await run(['emulator', 'start', '--data-dir', join(home.path, 'data-busy'), '--port', String(port)])
      assert.equal(busy.code, 1, busy.stderr)
      assert.match(busy.stderr, new RegExp(`port ${port} on 127.0.0.1 is in use`))
      assert.match(busy.stderr, /Hint: .*--port 0/)
    } finally {
      blocker.close()
    }
  })
})
