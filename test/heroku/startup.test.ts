// What the Heroku commands load: help loads neither heroku-client nor any Azure code; a real
// `qjob scale` loads heroku-client but never the Azure SDK or rhea.
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'

import {runCliTraced} from '../helpers/cli.js'
import {nodeCommand, startLocalHeroku, type LocalHeroku} from './helpers/local-heroku.js'

describe('Heroku commands start light', () => {
  let heroku: LocalHeroku

  before(async () => {
    heroku = await startLocalHeroku({procfile: `worker: ${nodeCommand('setInterval(()=>{},1000)')}\n`})
  })
  after(async () => {
    await heroku.close()
  })

  /** Async, never spawnSync: the local API answering the child runs in this very process. */
  async function loadedModules(args: string[]): Promise<string> {
    const result = await runCliTraced(args, {home: heroku.home, env: heroku.env()})
    assert.equal(result.code, 0, result.stderr)
    return result.modules
  }

  for (const command of ['scale', 'ps', 'run-once', 'logs', 'stop', 'restart']) {
    it(`qjob ${command} --help loads no heroku-client, Azure SDK or rhea`, async () => {
      const modules = await loadedModules([command, '--help'])
      assert.ok(modules.includes('bin/run.js'), 'the trace saw the entry point')
      for (const heavy of ['heroku-client', '@azure/', 'servicebus/sdk.js', 'rhea', 'node-forge', 'netrc-parser'])
        assert.ok(!modules.includes(heavy), `${heavy} was loaded`)
    })
  }

  it('qjob scale (a real call) loads heroku-client but no Azure SDK or rhea', async () => {
    const modules = await loadedModules(['scale'])
    assert.ok(modules.includes('heroku-client'), 'the trace sees heroku-client')
    for (const heavy of ['@azure/', 'servicebus/sdk.js', 'rhea', 'node-forge']) assert.ok(!modules.includes(heavy), `${heavy} was loaded`)
  })
})
