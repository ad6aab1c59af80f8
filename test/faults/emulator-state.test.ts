// Issue 16, item 9: `qjob emulator status` with a stale state file, `stop` that had to SIGKILL,
// and start hints that repeat --data-dir.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {cleanEnv, runCli, tempDir} from '../helpers/cli.js'
import {alive} from './helpers.js'

/** A port nothing listens on (bound, then closed). */
async function refusingPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as {port: number}
  await new Promise(resolve => server.close(resolve))
  return port
}

function writeState(dataDir: string, pid: number, controlPort: number): void {
  mkdirSync(dataDir, {recursive: true})
  writeFileSync(
    join(dataDir, 'emulator.json'),
    JSON.stringify({
      pid,
      startedAt: new Date().toISOString(),
      dataDir,
      inMemory: true,
      control: {port: controlPort, token: 't'},
      services: {},
      env: {},
    }),
  )
}

describe('qjob emulator status/stop with a dead or stuck emulator', () => {
  let home: ReturnType<typeof tempDir>
  const run = (args: string[]) => runCli(args, {home: home.path, env: cleanEnv(home.path)})
  before(() => {
    home = tempDir('qjob-emu-state-')
  })
  after(() => home.cleanup())

  it('status with a state file whose pid lives but whose control port is dead: exit 3, stale state', async () => {
    const dataDir = join(home.path, 'stale')
    // A live pid that is not an emulator (a reused pid): this test runner itself.
    writeState(dataDir, process.pid, await refusingPort())
    const result = await run(['emulator', 'status', '--data-dir', dataDir])
    assert.equal(result.code, 3, result.stderr)
    assert.match(result.stderr, /^Error: the emulator is not running \(stale state for pid \d+/)
    assert.doesNotMatch(result.stderr, /ECONNREFUSED/)
  })

  it('stop that had to SIGKILL says so and exits 1', async () => {
    const dataDir = join(home.path, 'stuck')
    const stuck = spawn('/bin/sh', ['-c', 'trap "" TERM; while :; do sleep 1; done'], {stdio: 'ignore'})
    try {
      writeState(dataDir, stuck.pid!, await refusingPort())
      const result = await run(['emulator', 'stop', '--data-dir', dataDir])
      assert.equal(result.code, 1, result.stderr)
      assert.match(result.stderr, /did not stop on SIGTERM within 10 s and was killed with SIGKILL/)
      assert.match(result.stdout, /Stopped the emulator \(pid \d+\) with SIGKILL\./)
      assert.equal(alive(stuck.pid!), false)
    } finally {
      stuck.kill('SIGKILL')
    }
  })

  it('start --data-dir X prints hints that include --data-dir X', async () => {
    const dataDir = join(home.path, 'hinted')
    const started = await run(['emulator', 'start', '--data-dir', dataDir, '--port', '0', '--in-memory'])
    try {
      assert.equal(started.code, 0, started.stderr)
      assert.match(started.stdout, new RegExp(`eval "\\$\\(qjob emulator env --data-dir ${dataDir}\\)"`))
      assert.match(started.stdout, new RegExp(`Stop it with: qjob emulator stop --data-dir ${dataDir}`))
    } finally {
      const stopped = await run(['emulator', 'stop', '--data-dir', dataDir])
      assert.equal(stopped.code, 0, stopped.stderr)
    }
  })
})
