// Heroku CLI flag parity against the local Platform API: -r/--remote and git config heroku.remote,
// ps with several types, scale's feed-back line and size-only change, restart.
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {mkdirSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {APP_NAME, nodeCommand, startLocalHeroku, type LocalHeroku} from './helpers/local-heroku.js'

const IDLE = nodeCommand('setInterval(()=>{},1000)')

describe('Heroku flag parity', () => {
  let heroku: LocalHeroku
  before(async () => {
    heroku = await startLocalHeroku({procfile: `web: ${IDLE}\nworker: ${IDLE}\nclock: ${IDLE}\n`})
    const scaled = await heroku.qjob(['scale', 'web=1', 'worker=2', 'clock=1', '--wait'])
    assert.equal(scaled.code, 0, scaled.stderr)
  })
  after(async () => {
    await heroku.qjob(['scale', 'web=0', 'worker=0', 'clock=0'])
    await heroku.close()
  })

  const last = (method: string) => heroku.exchanges.filter(exchange => exchange.method === method).at(-1)

  it('ps TYPE... lists only the dynos of those types', async () => {
    const result = await heroku.qjob(['ps', 'worker', 'web', '--json'])
    assert.equal(result.code, 0, result.stderr)
    const names = (JSON.parse(result.stdout) as Array<{name: string}>).map(dyno => dyno.name)
    assert.deepEqual(names.sort(), ['web.1', 'worker.1', 'worker.2'])
    const none = await heroku.qjob(['ps', 'nosuch'])
    assert.equal(none.stdout, 'No nosuch dynos.\n')
  })

  it('scale with no argument ends with one line that scale takes back', async () => {
    const result = await heroku.qjob(['scale'])
    assert.equal(result.code, 0, result.stderr)
    const line = result.stdout.trimEnd().split('\n').at(-1) as string
    assert.equal(line, 'clock=1:Standard-1X web=1:Standard-1X worker=2:Standard-1X')
    const again = await heroku.qjob(['scale', ...line.split(' ')])
    assert.equal(again.code, 0, again.stderr)
    assert.deepEqual(last('PATCH')?.requestBody, {
      updates: ['clock=1', 'web=1', 'worker=2'].map(arg => ({
        type: arg.split('=')[0],
        quantity: Number(arg.split('=')[1]),
        dyno_size: {name: 'Standard-1X'},
      })),
    })
  })

  it('TYPE:SIZE changes the size and keeps the quantity', async () => {
    const result = await heroku.qjob(['scale', 'clock:standard-2x', '--json'])
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(last('PATCH')?.requestBody, {updates: [{type: 'clock', quantity: 1, dyno_size: {name: 'standard-2x'}}]})
    const clock = (JSON.parse(result.stdout) as Array<{type: string; quantity: number; size: string}>).find(entry => entry.type === 'clock')
    assert.deepEqual({quantity: clock?.quantity, size: clock?.size}, {quantity: 1, size: 'Standard-2X'})
  })

  it('restart: one dyno, a process type, every dyno (the Platform API restart endpoints)', async () => {
    const cases: Array<[string[], string, string]> = [
      [['restart', 'worker.2'], `/apps/${APP_NAME}/dynos/worker.2`, 'dyno'],
      [['restart', 'worker'], `/apps/${APP_NAME}/formations/worker`, 'type'],
      [['restart'], `/apps/${APP_NAME}/dynos`, 'all'],
    ]
    for (const [args, path, kind] of cases) {
      const result = await heroku.qjob([...args, '--json'])
      assert.equal(result.code, 0, result.stderr)
      assert.equal(last('DELETE')?.path, path)
      assert.equal((JSON.parse(result.stdout) as {kind: string}).kind, kind)
    }
    const text = await heroku.qjob(['restart', 'worker'])
    assert.equal(text.stderr, `Restarting all worker dynos on ${APP_NAME}.\n`)
    const missing = await heroku.qjob(['restart', 'worker.9'])
    assert.equal(missing.code, 3)
  })

  it('-r/--remote picks the app of a git remote; git config heroku.remote is the default remote', async () => {
    const repo = join(heroku.home, 'remote-repo')
    mkdirSync(repo)
    const git = (...args: string[]) => execFileSync('git', args, {cwd: repo, stdio: 'ignore'})
    git('init', '-q')
    git('remote', 'add', 'staging', `https://git.heroku.com/${APP_NAME}.git`)
    git('remote', 'add', 'heroku', 'https://git.heroku.com/other-app.git')
    const env = heroku.env({HEROKU_APP: ''})
    const byFlag = await heroku.qjob(['ps', '-r', 'staging', '--json'], {env, cwd: repo})
    assert.equal(byFlag.code, 0, byFlag.stderr)
    // Without a choice, the remote named "heroku" (another app) is used: not found.
    assert.equal((await heroku.qjob(['ps'], {env, cwd: repo})).code, 3)
    git('config', 'heroku.remote', 'staging')
    const byConfig = await heroku.qjob(['ps', '--json'], {env, cwd: repo})
    assert.equal(byConfig.code, 0, byConfig.stderr)
    const noRemote = await heroku.qjob(['ps', '--remote', 'prod'], {env, cwd: repo})
    assert.equal(noRemote.code, 2)
    assert.equal(noRemote.stderr, 'Error: no git remote "prod" (from --remote)\nHint: Git remotes here: staging, heroku.\n')
    // --remote wins over HEROKU_APP, as in the Heroku CLI.
    const overEnv = await heroku.qjob(['ps', '-r', 'staging', '--json'], {env: heroku.env({HEROKU_APP: 'other-app'}), cwd: repo})
    assert.equal(overEnv.code, 0, overEnv.stderr)
  })

  it('every exchange followed the schema', () => {
    assert.deepEqual(heroku.violations, [])
    assert.deepEqual(heroku.leaks, [])
  })
})
