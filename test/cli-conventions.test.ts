// The conventions oclif and Heroku CLI users reach for: -h, help COMMAND, version and -v, a
// suggestion for a typo (exit 2), completion scripts, and errors as JSON with --json.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {cleanEnv, repoRoot, runCli, tempDir} from './helpers/cli.js'

const {version} = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {version: string}
const userAgent = `qjob/${version} ${process.platform}-${process.arch} node-${process.version}\n`

describe('CLI conventions', () => {
  let dir: ReturnType<typeof tempDir>
  before(() => (dir = tempDir()))
  after(() => dir.cleanup())
  const qjob = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, {cwd: dir.path, env: cleanEnv(dir.path, env)})

  it('-h and "help COMMAND" print the same help as --help', async () => {
    const long = await qjob(['send', '--help'])
    const short = await qjob(['send', '-h'])
    const help = await qjob(['help', 'send'])
    assert.equal(long.code, 0)
    assert.match(long.stdout, /^Send messages to a queue\.\n\nUSAGE\n {2}\$ qjob send/)
    assert.equal(short.stdout, long.stdout)
    assert.equal(help.code, 0)
    assert.equal(help.stdout, long.stdout)
    const top = await qjob(['-h'])
    assert.equal(top.code, 0)
    assert.match(top.stdout, /COMMANDS\n/)
  })

  it('"qjob version", -v and --version print the same line', async () => {
    for (const args of [['version'], ['-v'], ['--version']]) {
      const result = await qjob(args)
      assert.equal(result.code, 0, args.join(' '))
      assert.equal(result.stdout, userAgent, args.join(' '))
    }
  })

  it('a mistyped command or topic names the closest one, exit 2', async () => {
    const sned = await qjob(['sned'])
    assert.equal(sned.code, 2)
    assert.equal(sned.stderr, 'Error: unknown command "sned"; did you mean "qjob send"?\nHint: Run "qjob help" to list the commands.\n')
    const sub = await qjob(['queue', 'lst'])
    assert.equal(sub.code, 2)
    assert.match(sub.stderr, /^Error: unknown command "queue lst"; did you mean "qjob queue list"\?\n/)
    const topic = await qjob(['qeue'])
    assert.match(topic.stderr, /did you mean "qjob queue"\?/)
  })

  it('"help nosuch" is exit 2; "help sned" suggests send', async () => {
    const result = await qjob(['help', 'nosuch'])
    assert.equal(result.code, 2)
    assert.equal(result.stderr, 'Error: unknown command "nosuch"\nHint: Run "qjob help" to list the commands.\n')
    const typo = await qjob(['help', 'sned'])
    assert.equal(typo.code, 2)
    assert.match(typo.stderr, /^Error: unknown command "sned"; did you mean "qjob send"\?\n/)
  })

  it('a mistyped flag names the closest flag, exit 2', async () => {
    const result = await qjob(['config', 'list', '--jsno'])
    assert.equal(result.code, 2)
    assert.equal(result.stderr, 'Error: Nonexistent flag: --jsno; did you mean --json?\n')
  })

  it('with --json an error is one JSON object on stderr and the exit code is unchanged', async () => {
    const usage = await qjob(['config', 'get', 'nope', '--json'])
    assert.equal(usage.code, 2)
    assert.equal(usage.stdout, '')
    const {error} = JSON.parse(usage.stderr) as {error: {message: string; hint: string | null; exitCode: number}}
    assert.deepEqual(Object.keys(error), ['message', 'hint', 'exitCode'])
    assert.equal(error.message, 'unknown setting "nope"')
    assert.equal(error.exitCode, 2)
    assert.equal(usage.stderr.trim().split('\n').length, 1)
    const badFlag = await qjob(['config', 'list', '--nope', '--json'])
    assert.equal(badFlag.code, 2)
    assert.deepEqual(JSON.parse(badFlag.stderr), {error: {message: 'Nonexistent flag: --nope', hint: null, exitCode: 2}})
    const unknown = await qjob(['sned', '--json'])
    assert.equal(unknown.code, 2)
    assert.equal(
      (JSON.parse(unknown.stderr) as {error: {message: string}}).error.message,
      'unknown command "sned"; did you mean "qjob send"?',
    )
  })

  it('completion scripts: bash, zsh and fish; bash completes commands, sub-commands and flags', async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const result = await qjob(['autocomplete', shell])
      assert.equal(result.code, 0, result.stderr)
      assert.match(result.stdout, new RegExp(`${shell} completion for qjob`))
    }
    const fromEnv = await qjob(['autocomplete'], {SHELL: '/usr/bin/fish'})
    assert.match(fromEnv.stdout, /^# fish completion/)
    const bash = await qjob(['autocomplete', 'bash'])
    const script = join(dir.path, 'qjob.bash')
    writeFileSync(script, bash.stdout)
    const complete = (...words: string[]) => {
      const line = `source '${script}'; COMP_WORDS=(${words.map(word => `'${word}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _qjob; echo "\${COMPREPLY[*]}"`
      const run = spawnSync('bash', ['-c', line], {encoding: 'utf8'})
      assert.equal(run.status, 0, run.stderr)
      return run.stdout.trim().split(' ')
    }
    assert.deepEqual(complete('qjob', 'se'), ['send'])
    assert.deepEqual(complete('qjob', 'queue', 'cr'), ['create'])
    assert.ok(complete('qjob', 'queue', 'create', 'jobs', '--max-d').includes('--max-delivery-count'))
    assert.ok(complete('qjob', 'peek', '-').includes('--json'))
  })

  it('after -q/--queue, completion offers the queue names the last "queue list" saw', async () => {
    const cache = join(dir.path, 'cache')
    mkdirSync(join(cache, 'qjob'), {recursive: true})
    writeFileSync(join(cache, 'qjob', 'queue-names'), 'jobs\njobs-urgent\nreports\n')
    const bash = await qjob(['autocomplete', 'bash'], {XDG_CACHE_HOME: cache})
    const script = join(dir.path, 'queues.bash')
    writeFileSync(script, bash.stdout)
    const line = `source '${script}'; COMP_WORDS=(qjob peek -q j); COMP_CWORD=3; _qjob; echo "\${COMPREPLY[*]}"`
    const run = spawnSync('bash', ['-c', line], {encoding: 'utf8'})
    assert.equal(run.stdout.trim(), 'jobs jobs-urgent')
  })

  it('a completion script for an unknown shell: exit 2 naming the supported ones', async () => {
    const result = await qjob(['autocomplete', 'tcsh'])
    assert.equal(result.code, 2)
    assert.equal(result.stderr, 'Error: unknown shell "tcsh"\nHint: Supported shells: bash, zsh, fish.\n')
  })
})
