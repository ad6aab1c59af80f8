// qjob run-once with input: piped stdin reaches the dyno and its end is the dyno's EOF; on a
// terminal (qjob run under `script`, which gives it one) the dyno gets a terminal of the same
// size, an interactive shell works, and Ctrl-C goes to the dyno's process, not to qjob.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {after, before, describe, it} from 'node:test'

import {binPath} from '../helpers/cli.js'
import {startLocalHeroku, type LocalHeroku} from './helpers/local-heroku.js'

const SCRIPT = ['/usr/bin/script', '/bin/script'].find(path => existsSync(path))

describe('qjob run-once: stdin and terminals', () => {
  let heroku: LocalHeroku

  before(async () => {
    heroku = await startLocalHeroku({procfile: 'worker: cat\n'})
  })
  after(async () => {
    await heroku.close()
    assert.deepEqual(heroku.violations, [])
  })

  it('forwards piped stdin, then EOF: no terminal for the dyno', async () => {
    const result = await heroku.qjob(['run-once', '--', 'test -t 0 || echo no-tty; cat; echo done'], {timeoutMs: 60_000})
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, 'no-tty\ndone\n')
    const input = await runCliWithInput(heroku, ['run-once', 'worker'], 'line one\nline two\n')
    assert.equal(input.code, 0, input.stderr)
    assert.equal(input.stdout, 'line one\nline two\n')
    const create = heroku.exchanges.filter(exchange => exchange.method === 'POST' && exchange.path.endsWith('/dynos')).at(-1)
    assert.equal((create?.requestBody as {force_no_tty?: boolean}).force_no_tty, true)
  })

  it(
    'on a terminal: an interactive shell of the same size; Ctrl-C reaches its process; the exit status comes back',
    {skip: SCRIPT === undefined && 'no script(1)'},
    async () => {
      const inner = `stty cols 91 rows 27; exec ${process.execPath} ${binPath} run-once -- bash --norc --noprofile`
      const child = spawn(SCRIPT as string, ['-q', '-e', '-c', inner, '/dev/null'], {
        cwd: heroku.home,
        env: {...heroku.env(), TERM: 'xterm'},
        stdio: ['pipe', 'pipe', 'pipe'],
      })
      let output = ''
      const waiters: Array<{pattern: RegExp; resolve: () => void}> = []
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk
        for (const waiter of [...waiters])
          if (waiter.pattern.test(output)) {
            waiters.splice(waiters.indexOf(waiter), 1)
            waiter.resolve()
          }
      })
      const waitFor = (pattern: RegExp) =>
        pattern.test(output)
          ? Promise.resolve()
          : new Promise<void>((resolve, reject) => {
              // A step that never comes fails with what the terminal showed, not a silent hang.
              const timer = setTimeout(() => reject(new Error(`waited 20 s for ${pattern}: ${JSON.stringify(output)}`)), 20_000)
              waiters.push({pattern, resolve: () => (clearTimeout(timer), resolve())})
            })
      // Both terminals (the test's and the dyno's) turn \n into \r\n, and bash's prompt ends in \r.
      const closed = new Promise<number | null>(resolve => child.on('close', resolve))

      await waitFor(/Running `bash --norc --noprofile`/)
      child.stdin.write('stty size; test -t 0 && echo "tty=yes"\r')
      await waitFor(/27 91\r*\n/)
      await waitFor(/[\r\n]tty=yes\r*\n/)
      // "sleeping" is printed by the process that then becomes sleep, so once it shows, Ctrl-C can only
      // reach that process (a bare `echo; sleep` let it land before sleep was in the foreground).
      child.stdin.write('sh -c "echo sleeping; exec sleep 30"\r')
      await waitFor(/[\r\n]sleeping\r*\n/)
      child.stdin.write('\u0003')
      child.stdin.write('echo "after-$((6*7)) status=$?"\r')
      // The dyno's terminal turned Ctrl-C into SIGINT for sleep (status 130); qjob and the shell live on.
      await waitFor(/[\r\n]after-42 status=130\r*\n/)
      child.stdin.write('exit 7\r')
      assert.equal(await closed, 7, output)
      const create = heroku.exchanges.filter(exchange => exchange.method === 'POST' && exchange.path.endsWith('/dynos')).at(-1)
      const body = create?.requestBody as {force_no_tty?: boolean; env?: Record<string, string>}
      assert.equal(body.force_no_tty, undefined)
      assert.deepEqual(body.env, {TERM: 'xterm', COLUMNS: '91', LINES: '27'})
    },
  )
})

/** qjob with this on its stdin (piped, then closed). */
async function runCliWithInput(heroku: LocalHeroku, args: string[], input: string) {
  const child = spawn(process.execPath, [binPath, ...args], {cwd: heroku.home, env: heroku.env(), stdio: ['pipe', 'pipe', 'pipe']})
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  child.stdin.end(input)
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  return {code, stdout, stderr}
}
