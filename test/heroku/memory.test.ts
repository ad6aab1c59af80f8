// R14: a dyno above its memory quota is noted in the logs, as the platform does. The quota is set
// below what any Node process takes, so the check must fire. The dyno is measured whole (its process
// group, as Heroku measures the container), so its Node process counts, not just the shell before it.
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'

import {spawn} from 'node:child_process'

import {residentMbByGroup} from '../../src/emulator/heroku/memory-check.js'
import {nodeCommand, startLocalHeroku, type LocalHeroku} from './helpers/local-heroku.js'

describe('dyno memory (R14)', () => {
  let heroku: LocalHeroku

  before(async () => {
    heroku = await startLocalHeroku({procfile: `worker: ${nodeCommand('setInterval(()=>{},1000)')}\n`, memoryQuotaMb: 1, memoryCheckMs: 50})
  })
  after(async () => {
    await heroku.close()
  })

  it('logs "Process running mem=…" and R14 for a dyno over its quota', async () => {
    await fetch(`${heroku.emulator.url}/apps/${heroku.emulator.appName}/formation/worker`, {
      method: 'PATCH',
      headers: {
        Authorization: `Bearer ${heroku.emulator.token}`,
        Accept: 'application/vnd.heroku+json; version=3',
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({quantity: 1}),
    })
    // The first checks may see only the dyno's shell (a few MB); once Node runs, its tens of MB count.
    await heroku.waitForLog(/heroku\[worker\.1\]: Process running mem=\d{2,}M\(\d+\.\d%\)/)
    await heroku.waitForLog(/heroku\[worker\.1\]: Error R14 \(Memory quota exceeded\)/)
  })

  it('sums a process group from /proc: a group led by a Node process takes more than 10 MB', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {detached: true, stdio: ['ignore', 'pipe', 'ignore']})
    try {
      await new Promise(resolve => child.once('spawn', resolve))
      // Node takes a moment to map its heap: poll (a loaded machine is slow), fail after 10 s.
      let rssMb = 0
      for (const deadline = Date.now() + 10_000; rssMb <= 10 && Date.now() < deadline;) {
        await new Promise(resolve => setTimeout(resolve, 50))
        rssMb = residentMbByGroup().get(child.pid as number) ?? 0
      }
      assert.ok(rssMb > 10, `${rssMb} MB`)
    } finally {
      child.kill('SIGKILL')
    }
  })
})
