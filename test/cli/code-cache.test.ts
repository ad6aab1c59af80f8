// The oclif bundle is compiled with the V8 code cache the build wrote; a cache V8 rejects (another
// node version, a damaged file) or none at all only costs time, never a failed start.
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {copyFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'
import {pathToFileURL} from 'node:url'

import {repoRoot, runCli, tempDir} from '../helpers/cli.js'

/** What dist/lib/oclif.js at this path reports, loaded in a fresh node. */
function loadReport(loader: string): {accepted: boolean; flags: string} {
  const script = `const m = await import(${JSON.stringify(pathToFileURL(loader).href)}); console.log(JSON.stringify({accepted: m.codeCacheAccepted, flags: typeof m.Flags.string}))`
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
    // oclif loads a command's file with import(), which code compiled from a cache cannot do by itself.
    const result = await runCli(['config', 'list', '--json'], {home: dir.path, cwd: dir.path})
    assert.equal(result.code, 0, result.stderr)
    assert.equal(typeof JSON.parse(result.stdout), 'object')
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
