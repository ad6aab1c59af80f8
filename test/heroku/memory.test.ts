// R14: a dyno above its memory quota is noted in the logs, as the platform does. The quota is set
// below what any Node process takes, so the check must fire.
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'

import {residentMb} from '../../src/emulator/heroku/memory-check.js'
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
    const usage = await heroku.waitForLog(/heroku\[worker\.1\]: Process running mem=\d+M\(\d+\.\d%\)/)
    await heroku.waitForLog(/heroku\[worker\.1\]: Error R14 \(Memory quota exceeded\)/)
    assert.ok(Number(/mem=(\d+)M/.exec(usage)?.[1]) > 1)
  })

  it('measures resident memory from /proc (this process takes more than 1 MB)', () => {
    assert.ok((residentMb(process.pid) ?? 0) > 1)
  })
})
