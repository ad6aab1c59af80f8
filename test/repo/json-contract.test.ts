// The README's JSON contract table, checked against the commands: every command (qjob's and the
// oclif plugins') has a row and every row a command; what a row says about --json and --ndjson
// matches the command's flags; and the commands that run without a service print the documented
// shape and keys, and an error as one JSON object on stderr.
import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {cleanEnv, repoRoot, runCli, tempDir} from '../helpers/cli.js'

interface Flag {
  name: string
  aliases?: string[]
}
interface ManifestCommand {
  enableJsonFlag?: boolean
  flags: Record<string, Flag>
}
interface Row {
  json: string
  ndjson: string
  keys: string[]
}

function manifestCommands(): Map<string, ManifestCommand> {
  const commands = new Map<string, ManifestCommand>()
  const files = [
    'oclif.manifest.json',
    'node_modules/@oclif/plugin-help/oclif.manifest.json',
    'node_modules/@oclif/plugin-version/oclif.manifest.json',
  ]
  for (const file of files) {
    const manifest = JSON.parse(readFileSync(join(repoRoot, file), 'utf8')) as {commands: Record<string, ManifestCommand>}
    for (const [id, command] of Object.entries(manifest.commands)) commands.set(id.replaceAll(':', ' '), command)
  }
  return commands
}

function contractRows(): Map<string, Row> {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8')
  const section = readme.split('\n## JSON contract\n')[1]?.split('\n## ')[0]
  assert.ok(section, 'README has a "JSON contract" section')
  const rows = new Map<string, Row>()
  for (const line of section.split('\n')) {
    const match = /^\| `qjob ([^`]+)` \| ([^|]+) \| ([^|]+) \| ([^|]*) \|$/.exec(line)
    if (!match) continue
    const keys = [...match[4].matchAll(/`([A-Za-z]+)`/g)].map(key => key[1])
    rows.set(match[1], {json: match[2].trim(), ndjson: match[3].trim(), keys})
  }
  return rows
}

describe('the JSON contract in the README', () => {
  const commands = manifestCommands()
  const rows = contractRows()

  it('has one row per command, and no row for a command that does not exist', () => {
    assert.deepEqual([...rows.keys()].sort(), [...commands.keys()].sort())
  })

  for (const [id, row] of rows) {
    it(`qjob ${id}: --json "${row.json}", --ndjson "${row.ndjson}" as the flags say`, () => {
      const command = commands.get(id)
      assert.ok(command, `qjob ${id} exists`)
      const ndjson = command.flags.ndjson
      if (row.json === 'object' || row.json === 'array') assert.ok(command.enableJsonFlag || command.flags.json, 'takes --json')
      else if (row.json === '= `--ndjson`') {
        assert.ok(!command.enableJsonFlag, '--json is no separate document')
        assert.deepEqual(ndjson?.aliases, ['json'], '--json is an alias of --ndjson')
      } else {
        assert.equal(row.json, '—')
        assert.ok(!command.enableJsonFlag && !command.flags.json, 'takes no --json')
      }
      if (row.ndjson === '—') assert.equal(ndjson, undefined, 'takes no --ndjson')
      else assert.ok(ndjson, 'takes --ndjson')
    })
  }

  it('commands print JSON one way: they return the document (BaseCommand.logJson prints it)', () => {
    // receive is the exception the README names: its document must be out before it settles.
    const allowed = new Set(['receive.ts'])
    const files = readdirSync(join(repoRoot, 'src/commands'), {recursive: true, encoding: 'utf8'}).filter(file => file.endsWith('.ts'))
    for (const file of files) {
      const source = readFileSync(join(repoRoot, 'src/commands', file), 'utf8')
      if (allowed.has(file)) continue
      assert.ok(!/\bprintJson\(/.test(source), `${file} prints JSON itself instead of returning it`)
    }
  })

  describe('run where no service is needed', () => {
    let dir: ReturnType<typeof tempDir>
    before(() => (dir = tempDir()))
    after(() => dir.cleanup())
    const qjob = (args: string[]) => runCli(args, {cwd: dir.path, env: cleanEnv(dir.path, {QUEUE_NAME: 'jobs'})})

    const runnable: string[][] = [
      ['config', 'set', 'app', 'my-app'],
      ['config', 'get', 'queue'],
      ['config', 'list'],
      ['config', 'unset', 'app'],
      ['emulator', 'stop', '--data-dir', 'no-emulator-here'],
      ['version'],
    ]
    for (const args of runnable) {
      const id = args.slice(0, args[0] === 'version' ? 1 : 2).join(' ')
      it(`qjob ${args.join(' ')} --json prints the documented shape and keys`, async () => {
        const row = rows.get(id)
        assert.ok(row)
        const result = await qjob([...args, '--json'])
        assert.equal(result.code, 0, result.stderr)
        const document = JSON.parse(result.stdout) as unknown
        assert.equal(Array.isArray(document) ? 'array' : typeof document, row.json === 'array' ? 'array' : 'object')
        const sample = (Array.isArray(document) ? document[0] : document) as Record<string, unknown>
        const documented = row.keys.filter(key => key !== 'pid' || args[0] !== 'emulator')
        for (const key of documented) assert.ok(key in sample, `"${key}" in ${result.stdout}`)
      })
    }

    it('an error with --json is one object on stderr, the exit code unchanged', async () => {
      const plain = await qjob(['config', 'get', 'nope'])
      const json = await qjob(['config', 'get', 'nope', '--json'])
      assert.equal(json.code, plain.code)
      assert.equal(json.stdout, '')
      assert.deepEqual(JSON.parse(json.stderr), {
        error: {message: 'unknown setting "nope"', hint: plain.stderr.split('\nHint: ')[1].trim(), exitCode: 2},
      })
    })
  })
})
