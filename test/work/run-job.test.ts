// runJob registers the job with its lifeline, then runs the command: the command must see what it
// would under `sh -c COMMAND` (no positional parameters, $0, its own `wait`, the shell's error
// messages, no lifeline fd), with the body on stdin.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {PassThrough} from 'node:stream'
import {test} from 'node:test'

import {runJob} from '../../src/lib/worker/run-job.js'

async function run(command: string, input = '') {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', chunk => (out += chunk))
  stderr.on('data', chunk => (err += chunk))
  const outcome = await runJob({command, input: Buffer.from(input), env: {}, stdout, stderr, timeoutMs: 20_000})
  return {...outcome, out, err}
}

test('the command sees what sh -c shows it: no arguments, $0, the body on stdin', async () => {
  const result = await run('echo "$0 $# [$1]"; cat', 'the body')
  assert.equal(result.exitCode, 0)
  assert.equal(result.out, '/bin/sh 0 []\nthe body')
})

test("a `wait` in the command waits for the command's own background jobs only", async () => {
  const result = await run('sleep 0.2 & sleep 0.1 & wait; echo waited')
  assert.equal(result.timedOut, false)
  assert.equal(result.exitCode, 0)
  assert.equal(result.out, 'waited\n')
})

test("exit codes and the shell's own errors come through as under sh -c", async () => {
  assert.equal((await run('exit 7')).exitCode, 7)
  const syntax = await run('if then')
  assert.equal(syntax.exitCode, 2)
  assert.match(syntax.stderrTail, /^\/bin\/sh: 1: Syntax error/)
  const missing = await run('no-such-command-qjob')
  assert.equal(missing.exitCode, 127)
  assert.match(missing.stderrTail, /^\/bin\/sh: 1: no-such-command-qjob: not found/)
})

test('the lifeline (fd 3) is closed before the command runs', async () => {
  const result = await run('if true 2>/dev/null >&3; then echo open; else echo closed; fi')
  assert.equal(result.out, 'closed\n')
})

test('multi-line commands, line numbers and errors on a later line are as under sh -c', async () => {
  const commands = [
    'echo a\nno-such-command-qjob\necho b',
    'echo ran; if then',
    'echo first\nif then\necho never',
    'echo "$LINENO"\necho "$LINENO"',
    'f() { return 3; }\nf',
    'cat <<EOF\nheredoc $#\nEOF',
    'exec echo replaced',
    '# only a comment',
    '',
  ]
  for (const command of commands) {
    const job = await run(command, 'the body')
    const direct = spawnSync('/bin/sh', ['-c', command], {input: 'the body', encoding: 'utf8'})
    assert.deepEqual(
      {exit: job.exitCode, out: job.out, err: job.err},
      {exit: direct.status, out: direct.stdout, err: direct.stderr},
      command,
    )
  }
})
