import assert from 'node:assert/strict'
import {spawn, spawnSync} from 'node:child_process'
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {binPath, repoRoot, tempDir} from './helpers/cli.js'

/** Processes whose command line mentions `text` (from /proc). */
function processesMentioning(text: string): string[] {
  const found: string[] = []
  for (const pid of readdirSync('/proc').filter(name => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')
      if (cmdline.includes(text)) found.push(`${pid}: ${cmdline}`)
    } catch {
      // the process ended while we looked
    }
  }
  return found
}

const DEMO_TIMEOUT_MS = 200_000

describe('npm run demo (short variant)', () => {
  let dir: ReturnType<typeof tempDir>
  before(() => (dir = tempDir('qjob-demo-test-')))
  after(() => {
    // Whatever happened, stop an emulator the demo may have left (it runs in its own session).
    for (const entry of readdirSync(dir.path)) {
      const dataDir = join(dir.path, entry, 'emulator')
      if (existsSync(dataDir)) spawnSync(process.execPath, [binPath, 'emulator', 'stop', '--data-dir', dataDir], {stdio: 'ignore'})
    }
    dir.cleanup()
  })

  it('runs every step, exits 0 and leaves no process behind', {timeout: DEMO_TIMEOUT_MS + 30_000}, async () => {
    const child = spawn(process.execPath, [join(repoRoot, 'scripts', 'demo.mjs'), '--jobs', '60'], {
      env: {...process.env, TMPDIR: dir.path, NO_COLOR: '1'},
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    let output = ''
    child.stdout.on('data', chunk => (output += chunk))
    child.stderr.on('data', chunk => (output += chunk))
    // A stuck step must fail the test, not hang it: kill the demo and everything it started.
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), DEMO_TIMEOUT_MS)
    const code = await new Promise(resolve => child.on('close', resolve))
    clearTimeout(timer)
    assert.equal(code, 0, output)
    for (const expected of [
      /Sent 60 messages to demo-jobs/,
      /Scheduled 3 messages on demo-jobs/,
      /active\s+0\s+scheduled 0\s+dead-lettered 1/,
      /InvalidJob/,
      /Resubmitted 1 dead letter to demo-jobs/,
      /app\[jobs\.\d\]: at=job .*outcome=completed/,
      /report: generated at/,
      /qjob run-once exited with 3, the command's own exit code/,
      /Stopped the emulator/,
      /Done\./,
    ])
      assert.match(output, expected)
    assert.deepEqual(processesMentioning(dir.path), [])
  })
})
