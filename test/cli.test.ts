import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {cleanEnv, repoRoot, runCli, runCliTraced, tempDir} from './helpers/cli.js'

const {version} = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {version: string}

describe('qjob as a user runs it', () => {
  let dir: ReturnType<typeof tempDir>
  before(() => (dir = tempDir()))
  after(() => dir.cleanup())
  const qjob = (...args: string[]) => runCli(args, {cwd: dir.path, env: cleanEnv(dir.path)})

  it('--version prints name and version', async () => {
    const result = await qjob('--version')
    assert.equal(result.code, 0)
    assert.equal(result.stdout, `qjob/${version} ${process.platform}-${process.arch} node-${process.version}\n`)
  })

  it('--help lists topics with descriptions', async () => {
    const result = await qjob('--help')
    assert.equal(result.code, 0)
    assert.match(result.stdout, /USAGE\n\s+\$ qjob \[COMMAND\]/)
    assert.match(result.stdout, /TOPICS\n(.*\n)*\s+config\s+\S.+/)
  })

  it('every command has a description and an example in its help', async () => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'oclif.manifest.json'), 'utf8')) as {
      commands: Record<string, {summary?: string; description?: string; examples?: unknown[]}>
    }
    const ids = Object.keys(manifest.commands)
    assert.ok(ids.length >= 4)
    for (const id of ids) {
      assert.ok(manifest.commands[id].summary ?? manifest.commands[id].description, `${id} has a summary or description`)
      assert.ok((manifest.commands[id].examples ?? []).length > 0, `${id} has examples`)
    }
  })

  it('an unknown command is one line, exit 2', async () => {
    const result = await qjob('frobnicate')
    assert.equal(result.code, 2)
    assert.equal(result.stderr, 'Error: unknown command "frobnicate"\nHint: Run "qjob help" to list the commands.\n')
    assert.equal(result.stdout, '')
  })

  it('an unknown flag is one line, exit 2, no stack trace', async () => {
    const result = await qjob('config', 'list', '--frobnicate')
    assert.equal(result.code, 2)
    assert.equal(result.stderr, 'Error: Nonexistent flag: --frobnicate\n')
  })

  it('--debug shows the stack trace', async () => {
    const result = await qjob('config', 'get', 'nope', '--debug')
    assert.equal(result.code, 2)
    assert.match(result.stderr, /^Error: unknown setting "nope"\n(.*\n)*\s+at /)
  })

  it('writes no colour codes when stdout is not a TTY, even with FORCE_COLOR unset', async () => {
    const result = await qjob('config', 'list')
    assert.equal(result.code, 0)
    assert.ok(!result.stdout.includes('\u001B['))
  })

  it('FORCE_COLOR paints the table header (chalk is loaded when colour is on)', async () => {
    const result = await runCli(['config', 'list'], {cwd: dir.path, env: {...cleanEnv(dir.path), FORCE_COLOR: '1'}})
    assert.equal(result.code, 0, result.stderr)
    assert.ok(result.stdout.startsWith('\u001B[1mKEY'), JSON.stringify(result.stdout.slice(0, 20)))
  })
})

describe('start-up stays light', () => {
  let dir: ReturnType<typeof tempDir>
  before(() => (dir = tempDir()))
  after(() => dir.cleanup())

  async function loadedModules(args: string[]): Promise<string> {
    const result = await runCliTraced(args, {home: dir.path})
    assert.equal(result.code, 0, result.stderr)
    return result.modules
  }

  for (const args of [['--version'], ['config', 'list'], ['--help']]) {
    it(`qjob ${args.join(' ')} loads no Azure SDK, heroku-client or rhea`, async () => {
      const modules = await loadedModules(args)
      assert.ok(modules.includes('bin/run.js'), 'the trace saw the entry point')
      for (const heavy of ['@azure/', 'servicebus/sdk.js', 'heroku-client', 'rhea'])
        assert.ok(!modules.includes(heavy), `${heavy} was loaded`)
    })
  }

  it('qjob config list off a terminal does not load chalk (no colour, nothing to paint)', async () => {
    const modules = await loadedModules(['config', 'list'])
    assert.ok(modules.includes('dist/lib/output.js'), 'the trace saw the output module')
    assert.ok(!modules.includes('/chalk/'), 'chalk was loaded')
  })

  it('qjob --version does not load oclif at all', async () => {
    assert.ok(!(await loadedModules(['--version'])).includes('oclif'))
  })
})
