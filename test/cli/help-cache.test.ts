// Help pages off a terminal come from dist/help-cache.json without loading oclif. Each cached page
// must be what oclif itself prints for it (oclif renders it when OCLIF_COLUMNS is set, which skips
// the cache, at the same 80 columns as any pipe); anything the cache cannot answer goes to oclif.
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {cleanEnv, repoRoot, runCli, runCliTraced, tempDir} from '../helpers/cli.js'

interface HelpCache {
  root: string
  commands: Record<string, string>
  topics: Record<string, string>
}

const cache = JSON.parse(readFileSync(join(repoRoot, 'dist', 'help-cache.json'), 'utf8')) as HelpCache
const manifest = JSON.parse(readFileSync(join(repoRoot, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, unknown>}

describe('help pages from the build-time cache', () => {
  const home = tempDir('qjob-help-cache-')
  after(() => home.cleanup())
  const env = (extra: NodeJS.ProcessEnv = {}) => cleanEnv(home.path, extra)
  const byOclif = (args: string[]) => runCli(args, {cwd: home.path, env: env({OCLIF_COLUMNS: '80'})})

  it('has a page for every command in the manifest, and every page is what oclif prints', async () => {
    // qjob's own commands, and the help and version plugins' ones.
    const ids = [...Object.keys(manifest.commands).map(id => id.replaceAll(':', ' ')), 'help', 'version']
    assert.deepEqual(Object.keys(cache.commands).sort(), ids.sort())
    const pages: Array<[string[], string]> = [
      [['--help'], cache.root],
      ...Object.entries(cache.commands).map(([words, text]): [string[], string] => [[...words.split(' '), '--help'], text]),
      ...Object.entries(cache.topics).map(([words, text]): [string[], string] => [[...words.split(' '), '--help'], text]),
    ]
    // Four at a time: each is a whole oclif start-up.
    for (let i = 0; i < pages.length; i += 4)
      await Promise.all(
        pages.slice(i, i + 4).map(async ([args, text]) => {
          const result = await byOclif(args)
          assert.equal(result.code, 0, result.stderr)
          // The cache holds a placeholder where the root page names version, platform and node.
          assert.equal(text, result.stdout.replace(/qjob\/\S+ \S+ node-\S+/, '{{userAgent}}'), `qjob ${args.join(' ')}`)
        }),
      )
  })

  it('answers --help, -h, "help WORDS" and no arguments the way oclif does, without loading oclif', async () => {
    for (const args of [['scale', '--help'], ['-h', 'queue', 'policy'], ['help', 'dlq', 'resubmit'], [], ['help'], ['--help']]) {
      const traced = await runCliTraced(args, {home: home.path, env: env()})
      const oclif = await byOclif(args)
      assert.equal(traced.code, 0, traced.stderr)
      assert.equal(traced.stdout, oclif.stdout, `qjob ${args.join(' ')}`)
      assert.ok(traced.modules.includes('bin/run.js'), 'the trace saw the entry point')
      assert.ok(!/dist\/lib\/entry\.js|oclif/.test(traced.modules), `qjob ${args.join(' ')} loaded oclif`)
    }
  })

  it('answers from the cache on CI machines too: their settings do not change a page off a terminal', async () => {
    // What CI services and terminals set; oclif prints the same page with each (checked here).
    const ciSettings = {
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      TF_BUILD: 'True',
      TEAMCITY_VERSION: '2024.1',
      COLORTERM: 'truecolor',
      NO_COLOR: '1',
    }
    const traced = await runCliTraced(['scale', '--help'], {home: home.path, env: env(ciSettings)})
    const oclif = await runCli(['scale', '--help'], {cwd: home.path, env: env({...ciSettings, OCLIF_COLUMNS: '80'})})
    assert.equal(traced.code, 0, traced.stderr)
    assert.equal(traced.stdout, oclif.stdout)
    assert.equal(traced.stdout, cache.commands.scale)
    assert.ok(!/dist\/lib\/entry\.js|oclif/.test(traced.modules), 'qjob scale --help on CI loaded oclif')
  })

  it('leaves to oclif what could render differently or is not a plain page: colour and width settings, arguments, unknown words, a bare topic', async () => {
    for (const [args, extra] of [
      [['scale', '--help'], {FORCE_COLOR: '1'}],
      [['scale', '--help'], {OCLIF_COLUMNS: '120'}],
      [['scale', '--help'], {DEBUG: '*'}],
      [['scale', 'worker=2', '--help'], {}],
      [['help', 'nosuch'], {}],
      [['queue'], {}],
      [['config', 'list'], {}],
    ] as Array<[string[], NodeJS.ProcessEnv]>) {
      const traced = await runCliTraced(args, {home: home.path, env: env(extra)})
      assert.ok(traced.modules.includes('dist/lib/entry.js'), `qjob ${args.join(' ')} with ${JSON.stringify(extra)} did not go to oclif`)
    }
    const unknown = await runCli(['help', 'nosuch'], {cwd: home.path, env: env()})
    assert.equal(unknown.code, 2)
    assert.match(unknown.stderr, /unknown command "nosuch"/)
  })
})
