// qjob scale and qjob ps through bin/run.js against the local Platform API, which runs the
// Procfile as real processes. Lists are paged two items at a time, so Range/Next-Range is in play.
import assert from 'node:assert/strict'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {nodeCommand, startLocalHeroku, type LocalHeroku} from './helpers/local-heroku.js'

const WORKER = nodeCommand(
  "const fs=require('fs');console.log('started '+process.env.DYNO+' FOO='+process.env.FOO+' PORT='+process.env.PORT);" +
    "process.on('SIGTERM',()=>{fs.writeFileSync(process.env.MARKER_DIR+'/'+process.env.DYNO+'.term','ok');console.log('got SIGTERM');process.exit(0)});" +
    'setInterval(()=>{},1000)',
)

describe('qjob scale and ps', () => {
  let heroku: LocalHeroku
  let markers: string

  before(async () => {
    heroku = await startLocalHeroku({procfile: `worker: ${WORKER}\ncrash: ${nodeCommand('process.exit(3)')}\n`, pageSize: 2})
    markers = join(heroku.appDir, 'markers')
    const {mkdirSync, writeFileSync} = await import('node:fs')
    mkdirSync(markers)
    writeFileSync(join(heroku.appDir, '.env'), `FOO=bar\nMARKER_DIR=${markers}\n`)
  })
  after(async () => {
    await heroku.close()
  })

  const patches = () => heroku.exchanges.filter(exchange => exchange.method === 'PATCH')

  it('with no argument prints the formation', async () => {
    const table = await heroku.qjob(['scale'])
    assert.equal(table.code, 0, table.stderr)
    assert.match(table.stdout, /^TYPE\s+QTY\s+SIZE\s+COMMAND\n/)
    assert.match(table.stdout, /\nworker\s+0\s+Standard-1X\s+node -e/)
    const json = await heroku.qjob(['scale', '--json'])
    assert.equal(json.code, 0, json.stderr)
    const formation = JSON.parse(json.stdout) as Array<{type: string; quantity: number; size: string}>
    assert.deepEqual(
      formation.map(({type, quantity, size}) => ({type, quantity, size})),
      [
        {type: 'crash', quantity: 0, size: 'Standard-1X'},
        {type: 'worker', quantity: 0, size: 'Standard-1X'},
      ],
    )
  })

  it('rejects an argument it cannot read: exit 2 naming it, nothing sent', async () => {
    for (const args of [['worker=abc'], ['worker=1', 'crash'], ['worker=2:'], ['worker=-1'], ['worker=1', 'worker+1']]) {
      const before = heroku.exchanges.length
      const result = await heroku.qjob(['scale', ...args])
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`)
      const bad = args.length === 1 ? args[0] : args[1]
      assert.ok(result.stderr.includes(`"${bad}"`), `${args.join(' ')} names ${bad}: ${result.stderr}`)
      assert.equal(result.stdout, '')
      assert.equal(heroku.exchanges.length, before, `${args.join(' ')} sent nothing`)
    }
  })

  it('worker=2 --wait starts two processes with the config vars and PORT, in one batch update', async () => {
    const patchesBefore = patches().length
    const result = await heroku.qjob(['scale', 'worker=2', '--wait'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stderr, /Scaled qjob-test-app: worker at 2:Standard-1X/)
    assert.match(result.stderr, /All 2 dynos up/)
    const sent = patches().slice(patchesBefore)
    assert.equal(sent.length, 1)
    assert.equal(sent[0].path, '/apps/qjob-test-app/formation')
    assert.deepEqual(sent[0].requestBody, {updates: [{type: 'worker', quantity: 2}]})
    await heroku.waitForLog(/app\[worker\.1\]: started worker\.1 FOO=bar PORT=\d+/)
    await heroku.waitForLog(/app\[worker\.2\]: started worker\.2 FOO=bar PORT=\d+/)
  })

  it('ps groups dynos by type, filters by type, pages through Range, and prints JSON', async () => {
    await heroku.qjob(['scale', 'worker+1', '--wait'])
    const table = await heroku.qjob(['ps'])
    assert.equal(table.code, 0, table.stderr)
    assert.match(table.stdout, /^=== worker \(3\)\nNAME\s+STATE\s+SIZE\s+AGE\s+COMMAND\nworker\.1\s+up\s+Standard-1X\s+\d+s\s+node -e/)
    assert.match(table.stdout, /worker\.3\s+up/)
    assert.ok(
      heroku.exchanges.some(exchange => exchange.status === 206 && exchange.responseHeaders['Next-Range']),
      'a list was paged',
    )
    const json = await heroku.qjob(['ps', 'worker', '--json'])
    const dynos = JSON.parse(json.stdout) as Array<{name: string; state: string; type: string}>
    assert.deepEqual(
      dynos.map(dyno => `${dyno.name}:${dyno.state}`),
      ['worker.1:up', 'worker.2:up', 'worker.3:up'],
    )
    const none = await heroku.qjob(['ps', 'crash'])
    assert.equal(none.stdout, 'No crash dynos.\n')
  })

  it('scaling down sends SIGTERM and the processes exit cleanly', async () => {
    const result = await heroku.qjob(['scale', 'worker-2', '--wait'])
    assert.equal(result.code, 0, result.stderr)
    for (const name of ['worker.2', 'worker.3']) {
      assert.equal(readFileSync(join(markers, `${name}.term`), 'utf8'), 'ok', `${name} saw SIGTERM`)
      await heroku.waitForLog(new RegExp(`heroku\\[${name.replace('.', '\\.')}\\]: Process exited with status 0`))
    }
    assert.ok(!existsSync(join(markers, 'worker.1.term')), 'worker.1 kept running')
    const dynos = JSON.parse((await heroku.qjob(['ps', '--json'])).stdout) as Array<{name: string}>
    assert.deepEqual(
      dynos.map(dyno => dyno.name),
      ['worker.1'],
    )
  })

  it('--wait fails naming a dyno that crashed (exit 1); ps shows it crashed', async () => {
    const result = await heroku.qjob(['scale', 'crash=1', '--wait'])
    assert.equal(result.code, 1)
    assert.match(result.stderr, /Error: dyno crash\.1 crashed\nHint: See why with "qjob logs -d crash\.1"/)
    const ps = await heroku.qjob(['ps', 'crash'])
    assert.match(ps.stdout, /crash\.1\s+crashed/)
    assert.equal((await heroku.qjob(['scale', 'crash=0'])).code, 0)
  })

  it('sizes go out as dyno_size; unknown types and sizes are errors (exit 3, exit 2)', async () => {
    const resized = await heroku.qjob(['scale', 'worker=1:standard-2x', '--json'])
    assert.equal(resized.code, 0, resized.stderr)
    const worker = (JSON.parse(resized.stdout) as Array<{type: string; size: string}>).find(entry => entry.type === 'worker')
    assert.equal(worker?.size, 'Standard-2X')
    assert.deepEqual(patches().at(-1)?.requestBody, {updates: [{type: 'worker', quantity: 1, dyno_size: {name: 'standard-2x'}}]})

    const before = patches().length
    const unknownType = await heroku.qjob(['scale', 'web=1'])
    assert.equal(unknownType.code, 3)
    assert.match(unknownType.stderr, /no process type "web"/)
    assert.equal(patches().length, before, 'nothing was sent for an unknown type')

    const unknownSize = await heroku.qjob(['scale', 'worker=1:enormous'])
    assert.equal(unknownSize.code, 2)
    assert.match(unknownSize.stderr, /^Error: Heroku API: Invalid dyno size: enormous\.\n$/)
  })

  it('every request and response followed the schema; the token never appeared in output', () => {
    assert.ok(heroku.exchanges.length > 10)
    assert.deepEqual(heroku.violations, [])
    assert.deepEqual(heroku.leaks, [])
  })
})
