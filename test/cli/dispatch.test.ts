// bin/run.js runs a known command without oclif's Config (src/lib/startup/dispatch.ts): the id it
// finds, the Config values a command reads, and when oclif runs the command instead, each checked
// against oclif itself.
import assert from 'node:assert/strict'
import {mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import {after, describe, it} from 'node:test'

import {Config} from '@oclif/core'
import {normalizeArgv as oclifNormalizeArgv} from '@oclif/core/help'

import {cleanEnv, repoRoot, runCli, tempDir} from '../helpers/cli.js'
import {normalizeArgv} from '../../src/lib/startup/dispatch.js'
import {type CommandIndex, ManifestConfig} from '../../src/lib/startup/manifest-config.js'

const index = JSON.parse(readFileSync(join(repoRoot, 'dist', 'command-index.json'), 'utf8')) as CommandIndex

describe('finding the command', () => {
  it('splits argv into the command id and its arguments as oclif does', async () => {
    const config = await Config.load(repoRoot)
    const samples = [
      ['config', 'list'],
      ['config', 'list', '--json'],
      ['config:list', '--json'],
      ['schedule', 'cancel', '42'],
      ['schedule', 'hello', '--in', '5m'],
      ['schedule', '-q', 'jobs', 'hello'],
      ['app', 'config'],
      ['app', 'config', 'set', 'A=1', 'B=2'],
      ['app', 'config', 'get', 'A'],
      ['queue', 'policy', 'create', 'send-only', '-q', 'jobs'],
      ['queue', 'create', 'jobs', 'more'],
      ['queue'],
      ['queue', 'nosuch', 'x'],
      ['send', 'queue', 'list'],
      ['scale', 'worker=2'],
      ['help', 'queue', 'list'],
      ['version'],
      ['nosuch', 'thing'],
      ['--json'],
      ...Object.keys(index.commands).map(id => [...id.split(':'), 'word', '--flag']),
    ]
    for (const argv of samples) assert.deepEqual(normalizeArgv([...argv], index), oclifNormalizeArgv(config, [...argv]), argv.join(' '))
  })
})

describe('the Config a command reads', () => {
  const home = tempDir('qjob-dispatch-')
  after(() => home.cleanup())

  /** Both configs with only these qjob and XDG settings in the environment. */
  async function both(settings: Record<string, string>): Promise<{ours: ManifestConfig; oclif: Config}> {
    const saved = {...process.env}
    for (const key of Object.keys(process.env)) if (/^(QJOB_|XDG_)/.test(key)) delete process.env[key]
    Object.assign(process.env, {HOME: home.path}, settings)
    try {
      return {ours: new ManifestConfig(index), oclif: await Config.load(repoRoot)}
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
      Object.assign(process.env, saved)
    }
  }

  it("has oclif's names, platform, user agent, command ids and lookups", async () => {
    const {ours, oclif} = await both({})
    for (const key of ['name', 'version', 'bin', 'dirname', 'platform', 'arch', 'windows', 'topicSeparator', 'userAgent', 'home'] as const)
      assert.equal(ours[key], oclif[key], key)
    assert.equal(ours.flexibleTaxonomy, Boolean(oclif.flexibleTaxonomy))
    assert.equal(ours.isSingleCommandCLI, oclif.isSingleCommandCLI)
    assert.equal(ours.theme, oclif.theme)
    assert.deepEqual([...ours.commandIDs].sort(), [...oclif.commandIDs].sort())
    for (const id of oclif.commandIDs) {
      const expected = oclif.findCommand(id)!
      const found = ours.findCommand(id)!
      assert.equal(found.strict, expected.strict !== false, id)
      assert.deepEqual(Object.keys(found.args), Object.keys(expected.args ?? {}), id)
    }
    assert.equal(ours.findCommand('nosuch'), undefined)
    assert.deepEqual(ours.scopedEnvVarKeys('CONTENT_TYPE'), oclif.scopedEnvVarKeys('CONTENT_TYPE'))
    assert.equal(ours.scopedEnvVarKey('CONFIG_DIR'), oclif.scopedEnvVarKey('CONFIG_DIR'))
  })

  it("finds the config, cache and data dirs by oclif's rules", async () => {
    const variants: Array<Record<string, string>> = [
      {},
      {XDG_CONFIG_HOME: join(home.path, 'xc'), XDG_CACHE_HOME: join(home.path, 'xk'), XDG_DATA_HOME: join(home.path, 'xd')},
      {QJOB_CONFIG_DIR: join(home.path, 'c'), QJOB_CACHE_DIR: join(home.path, 'k'), QJOB_DATA_DIR: join(home.path, 'd')},
      {QJOB_CONFIG_DIR: '', XDG_CONFIG_HOME: join(home.path, 'xc')},
    ]
    for (const settings of variants) {
      const {ours, oclif} = await both(settings)
      for (const key of ['configDir', 'cacheDir', 'dataDir'] as const)
        assert.equal(ours[key], oclif[key], `${key} with ${JSON.stringify(settings)}`)
    }
  })

  it('reads scoped environment variables as oclif does (QJOB_CONTENT_TYPE=json means --json)', async () => {
    const {ours, oclif} = await both({})
    for (const value of ['json', '1', '']) {
      process.env.QJOB_CONTENT_TYPE = value
      try {
        assert.equal(ours.scopedEnvVar('CONTENT_TYPE'), oclif.scopedEnvVar('CONTENT_TYPE'), value)
        assert.equal(ours.scopedEnvVarTrue('CONTENT_TYPE'), oclif.scopedEnvVarTrue('CONTENT_TYPE'), value)
      } finally {
        delete process.env.QJOB_CONTENT_TYPE
      }
    }
  })

  it('covers every Config property qjob reads, unless the command says it needs oclif', () => {
    const sources = ['src/commands', 'src/lib'].flatMap(dir =>
      readdirSync(join(repoRoot, dir), {recursive: true, encoding: 'utf8'})
        .filter(file => file.endsWith('.ts'))
        .map(file => join(repoRoot, dir, file)),
    )
    const config = new ManifestConfig(index)
    const missing: string[] = []
    for (const file of sources) {
      const text = readFileSync(file, 'utf8')
      if (/static override needsOclifConfig = true/.test(text)) continue
      for (const [, key] of text.matchAll(/this\.config\.(\w+)/g)) if (!(key in config)) missing.push(`${relative(repoRoot, file)}: ${key}`)
    }
    assert.deepEqual(missing, [])
    assert.ok(
      sources.some(file => file.endsWith('queue/list.ts')),
      'the scan saw the commands',
    )
  })
})

describe('bin/run.js', () => {
  const home = tempDir('qjob-dispatch-run-')
  after(() => home.cleanup())

  /** Runs qjob with a preload that records every file read; the result and whether oclif's manifest was read. */
  async function run(args: string[], extra: NodeJS.ProcessEnv = {}) {
    const readLog = join(home.path, `reads-${Math.random()}.txt`)
    const result = await runCli(args, {
      home: home.path,
      env: cleanEnv(home.path, {QJOB_READ_LOG: readLog, ...extra}),
      nodeArgs: ['--require', join(repoRoot, 'test/fixtures/trace-reads.cjs')],
    })
    const reads = readFileSync(readLog, 'utf8')
    return {...result, readManifest: reads.includes('oclif.manifest.json'), readIndex: reads.includes('command-index.json')}
  }

  it('runs a known command from the index, without oclif reading its manifest', async () => {
    for (const args of [
      ['config', 'list', '--json'],
      ['config:list', '--json'],
    ]) {
      const result = await run(args)
      assert.equal(result.code, 0, result.stderr)
      assert.equal((JSON.parse(result.stdout) as Array<{key: string}>)[0].key, 'connection-string')
      assert.ok(result.readIndex && !result.readManifest, `qjob ${args.join(' ')} built oclif's Config`)
    }
    // The config dir comes from ManifestConfig: a saved value is found there.
    const configDir = join(home.path, 'saved-config')
    const set = await run(['config', 'set', 'queue', 'jobs'], {QJOB_CONFIG_DIR: configDir})
    assert.equal(set.code, 0, set.stderr)
    const got = await run(['config', 'get', 'queue', '--json'], {QJOB_CONFIG_DIR: configDir})
    assert.equal((JSON.parse(got.stdout) as {value: string}).value, 'jobs')
    assert.ok(!got.readManifest)
  })

  it("reports a command's errors the same way: one line, exit 2", async () => {
    const result = await run(['config', 'get', 'nosuch'])
    assert.equal(result.code, 2)
    assert.ok(!result.readManifest)
    assert.match(result.stderr, /^Error: .*nosuch/)
    assert.doesNotMatch(result.stderr, /\n\s+at /)
  })

  it('leaves to oclif a topic, an unknown command, plugin commands, user plugins, debug settings and autocomplete', async () => {
    const pluginHome = join(home.path, 'data-with-plugins')
    mkdirSync(pluginHome, {recursive: true})
    writeFileSync(join(pluginHome, 'package.json'), JSON.stringify({oclif: {plugins: []}}))
    for (const [args, extra] of [
      [['config'], {}],
      [['sned'], {}],
      [['version'], {}],
      [['config', 'list'], {QJOB_DATA_DIR: pluginHome}],
      [['config', 'list'], {DEBUG: 'nothing'}],
      [['config', 'list'], {QJOB_DEBUG: '1'}],
      [['autocomplete', 'bash'], {}],
    ] as Array<[string[], NodeJS.ProcessEnv]>) {
      const result = await run(args, extra)
      assert.ok(result.readManifest, `qjob ${args.join(' ')} with ${JSON.stringify(extra)} did not go to oclif`)
    }
    const completion = await run(['autocomplete', 'bash'])
    assert.equal(completion.code, 0, completion.stderr)
    assert.match(completion.stdout, /queue/)
  })

  it('runs the same without require() of ES modules (node before 20.19): import() instead', async () => {
    const result = await runCli(['config', 'list', '--json'], {home: home.path, nodeArgs: ['--no-experimental-require-module']})
    assert.equal(result.code, 0, result.stderr)
    assert.equal((JSON.parse(result.stdout) as Array<{key: string}>)[0].key, 'connection-string')
  })
})
