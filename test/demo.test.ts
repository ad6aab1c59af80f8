import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {repoRoot, tempDir} from './helpers/cli.js'

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

describe('npm run demo (short variant)', () => {
  let dir: ReturnType<typeof tempDir>
  before(() => (dir = tempDir('qjob-demo-test-')))
  after(() => dir.cleanup())

  it('runs every step, exits 0 and leaves no process behind', {timeout: 240_000}, async () => {
    const child = spawn(process.execPath, [join(repoRoot, 'scripts', 'demo.mjs'), '--jobs', '60', '--quiet'], {
      env: {...process.env, TMPDIR: dir.path, NO_COLOR: '1'},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', chunk => (output += chunk))
    child.stderr.on('data', chunk => (output += chunk))
    const code = await new Promise(resolve => child.on('close', resolve))
    assert.equal(code, 0, output)
    for (const expected of [
      /Sent 60 messages to demo-jobs/,
      /Scheduled 3 messages on demo-jobs/,
      /active\s+0\s+scheduled 0\s+dead-lettered 1/,
      /InvalidJob/,
      /Resubmitted 1 dead letter to demo-jobs/,
      /report: generated at/,
      /qjob run-once exited with 3, the command's own exit code/,
      /Stopped the emulator/,
      /Done\./,
    ]) assert.match(output, expected)
    assert.deepEqual(processesMentioning(dir.path), [])
  })
})
