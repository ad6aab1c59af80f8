// Dynos never outlive the emulator: after a kill -9 of it, its dynos die with it (the parent-death
// pipe), and a process group recorded in the data dir by an earlier run is reaped at start.
// Before: a formation of 2 ran 4 workers after a kill -9 and a restart.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {once} from 'node:events'
import {mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {processStartTime} from '../../src/emulator/process-start.js'
import {startHerokuEmulator} from '../../src/emulator/heroku/index.js'
import {alive} from '../faults/helpers.js'
import {tempDir} from '../helpers/cli.js'
import {nodeCommand} from './helpers/local-heroku.js'

/** Process death is not an event a non-parent can await: poll, bounded. */
async function waitUntilDead(pids: number[], timeoutMs = 10_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs
  while (pids.some(alive) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 50))
  return pids.filter(alive)
}

const pidWriter = nodeCommand(
  "require('fs').writeFileSync(process.env.PIDS+'/'+process.env.DYNO,String(process.pid));setInterval(()=>{},1000)",
)

describe('dynos and a kill -9 of the emulator', () => {
  it('the dynos die with the emulator, and a restart runs the formation of 2, not 4', async () => {
    const dir = tempDir('qjob-heroku-kill9-')
    try {
      const pidsDir = join(dir.path, 'pids')
      mkdirSync(pidsDir)
      writeFileSync(join(dir.path, 'Procfile'), `worker: ${pidWriter}\n`)
      writeFileSync(join(dir.path, '.env'), `PIDS=${pidsDir}\n`)
      const dataDir = join(dir.path, 'data')
      const fixture = join(import.meta.dirname, 'fixtures', 'serve-until-killed.ts')
      const child = spawn(process.execPath, ['--import', 'tsx', fixture, dir.path, dataDir], {stdio: ['ignore', 'pipe', 'inherit']})
      await new Promise<void>(resolve => child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve()))
      const first = ['worker.1', 'worker.2'].map(name => Number(readFileSync(join(pidsDir, name), 'utf8')))
      assert.deepEqual(first.filter(alive), first)
      const recorded = JSON.parse(readFileSync(join(dataDir, 'heroku-dynos-killed-app.json'), 'utf8')) as Record<string, string>
      assert.equal(Object.keys(recorded).length, 2, 'both dyno process groups are recorded')
      child.kill('SIGKILL')
      await once(child, 'close')
      assert.deepEqual(await waitUntilDead(first), [], 'no dyno outlives the emulator')

      rmSync(join(pidsDir, 'worker.1'))
      rmSync(join(pidsDir, 'worker.2'))
      const second = await startHerokuEmulator({appDir: dir.path, dataDir, appName: 'killed-app'})
      try {
        while (second.store.dynoList().filter(dyno => dyno.state === 'up').length < 2) await new Promise(resolve => setTimeout(resolve, 20))
        assert.deepEqual(
          second.store.dynoList().map(dyno => dyno.name),
          ['worker.1', 'worker.2'],
        )
      } finally {
        await second.close()
      }
    } finally {
      dir.cleanup()
    }
  })

  it('reaps a process group an earlier run recorded (and leaves a reused pid alone)', async () => {
    const dir = tempDir('qjob-heroku-reap-')
    try {
      writeFileSync(join(dir.path, 'Procfile'), `worker: ${nodeCommand('setInterval(()=>{},1000)')}\n`)
      const dataDir = join(dir.path, 'data')
      mkdirSync(dataDir)
      // A leftover "dyno" without the parent-death guard, in its own process group.
      const leftover = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], {detached: true, stdio: 'ignore'})
      await once(leftover, 'spawn')
      const bystander = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], {detached: true, stdio: 'ignore'})
      await once(bystander, 'spawn')
      const leftoverPid = leftover.pid as number
      const bystanderPid = bystander.pid as number
      try {
        const records = {[leftoverPid]: processStartTime(leftoverPid), [bystanderPid]: 'not-its-start-time'}
        writeFileSync(join(dataDir, 'heroku-dynos-reap-app.json'), JSON.stringify(records))
        const emulator = await startHerokuEmulator({appDir: dir.path, dataDir, appName: 'reap-app'})
        await emulator.close()
        await once(leftover, 'exit')
        assert.equal(leftover.signalCode, 'SIGKILL')
        assert.ok(alive(bystanderPid), 'a pid whose start time differs is not ours')
      } finally {
        bystander.kill('SIGKILL')
        leftover.kill('SIGKILL')
      }
    } finally {
      dir.cleanup()
    }
  })
})
