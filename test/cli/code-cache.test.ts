// The oclif and Service Bus SDK bundles are compiled with the V8 code caches the build wrote; a cache
// V8 rejects (another node version, a damaged file) or none at all only costs time, never a failed start.
import assert from 'node:assert/strict'
import {execFileSync, spawnSync} from 'node:child_process'
import {copyFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'
import {pathToFileURL} from 'node:url'

import {repoRoot, runCli, runCliTraced, tempDir} from '../helpers/cli.js'
import {type MessagingFixture, startMessagingFixture} from '../messaging/helpers.js'

/** What a bundle's loader at this path reports, loaded in a fresh node: the cache taken, and the type of one export. */
function loadReport(loader: string, exported = 'Flags.string'): {accepted: boolean; flags: string} {
  const script = `const m = await import(${JSON.stringify(pathToFileURL(loader).href)}); console.log(JSON.stringify({accepted: m.codeCacheAccepted, flags: typeof m.${exported}}))`
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], {encoding: 'utf8'})) as {
    accepted: boolean
    flags: string
  }
}

describe('the V8 code cache of the oclif bundle', () => {
  const dir = tempDir('qjob-code-cache-')
  after(() => dir.cleanup())

  it('is written by the build and taken by V8; cached code still imports the ESM command files', async () => {
    assert.deepEqual(loadReport(join(repoRoot, 'dist', 'lib', 'oclif.js')), {accepted: true, flags: 'function'})
    // oclif loads a command's file with import(), which code compiled from a cache cannot do by
    // itself: autocomplete runs through oclif (it reads oclif's command tree).
    const result = await runCli(['autocomplete', 'bash'], {home: dir.path, cwd: dir.path})
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /^complete .* _qjob qjob$/m)
  })

  it('a damaged or missing cache is refused and the bundle still loads', () => {
    for (const file of ['oclif.js', 'oclif-bundle.cjs']) copyFileSync(join(repoRoot, 'dist', 'lib', file), join(dir.path, file))
    assert.deepEqual(loadReport(join(dir.path, 'oclif.js')), {accepted: false, flags: 'function'})
    writeFileSync(join(dir.path, 'oclif-bundle.cache'), 'not a code cache')
    assert.deepEqual(loadReport(join(dir.path, 'oclif.js')), {accepted: false, flags: 'function'})
  })
})

describe("the bundle's command sort", () => {
  it('orders every command id (qjob and its plugins) as the localeCompare it replaces', async () => {
    const {Config} = await import('@oclif/core')
    const config = await Config.load(repoRoot)
    const ids = config.commands.map(command => command.id)
    assert.ok(ids.includes('scale') && ids.includes('autocomplete') && ids.includes('help'), ids.join(' '))
    const byCodePoint = [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    assert.deepEqual(
      [...ids].sort((a, b) => a.localeCompare(b)),
      byCodePoint,
    )
  })
})

describe('built-ins the bundle loads on first use', () => {
  const dir = tempDir('qjob-lazy-builtins-')
  after(() => dir.cleanup())

  /** Runs `config list` through the bundle in a fresh node; the built-ins it loaded, and its stderr before them. */
  function configList(env: Record<string, string> = {}): {loaded: string[]; stderr: string} {
    const script = `const {run} = await import(${JSON.stringify(pathToFileURL(join(repoRoot, 'dist', 'lib', 'oclif.js')).href)})
await run(['config', 'list'], ${JSON.stringify(repoRoot)})
process.stderr.write('\\n' + JSON.stringify(process.moduleLoadList))`
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: {PATH: process.env.PATH, HOME: dir.path, XDG_CONFIG_HOME: join(dir.path, '.config'), ...env},
    })
    assert.equal(result.status, 0, result.stderr)
    assert.match(result.stdout, /^KEY +VALUE/)
    const lines = result.stderr.trimEnd().split('\n')
    return {loaded: JSON.parse(lines.at(-1)!) as string[], stderr: lines.slice(0, -1).join('\n')}
  }

  it('a command run off a terminal loads neither child_process, perf_hooks nor tty (supports-color, debug)', () => {
    const {loaded, stderr} = configList()
    assert.ok(loaded.includes('NativeModule fs'), 'the list names built-ins')
    for (const builtin of ['child_process', 'perf_hooks', 'tty'])
      assert.ok(!loaded.includes(`NativeModule ${builtin}`), `${builtin} was loaded`)
    assert.equal(stderr, '')
  })

  it("DEBUG still turns on oclif's own debug output", () => {
    const {stderr} = configList({DEBUG: 'oclif:*'})
    assert.match(stderr, /oclif:main process\.argv/)
  })
})

describe('the Service Bus SDK bundle', () => {
  let fx: MessagingFixture
  before(async () => (fx = await startMessagingFixture([{name: 'bundled'}])))
  after(async () => await fx.stop())

  it('is compiled from the code cache the build wrote (and so is the ARM SDK bundle)', () => {
    assert.deepEqual(loadReport(join(repoRoot, 'dist', 'lib', 'servicebus', 'sdk.js'), 'ServiceBusClient'), {
      accepted: true,
      flags: 'function',
    })
    assert.deepEqual(loadReport(join(repoRoot, 'dist', 'lib', 'management', 'arm-sdk.js'), 'ServiceBusManagementClient'), {
      accepted: true,
      flags: 'function',
    })
  })

  it("carries qjob's Service Bus commands: the SDK comes from the bundle, not from node_modules", async () => {
    const sent = await runCliTraced(['send', '-q', 'bundled', 'through the bundle'], {home: fx.home, env: fx.env})
    assert.equal(sent.code, 0, sent.stderr)
    assert.ok(sent.modules.includes('lib/servicebus/sdk.js'), 'the trace saw the SDK loader')
    assert.ok(!sent.modules.includes('node_modules/@azure/service-bus'), 'the SDK was loaded from node_modules')
    const peeked = await fx.qjob(['peek', '-q', 'bundled', '--json'])
    assert.equal(peeked.code, 0, peeked.stderr)
    assert.equal((JSON.parse(peeked.stdout) as Array<{body: string}>)[0].body, 'through the bundle')
  })
})
