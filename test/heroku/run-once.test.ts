// qjob run-once through bin/run.js: attached over the TLS rendezvous (the certificate trusted via
// NODE_EXTRA_CA_CERTS, as "qjob emulator env" sets it up), exit codes passed through, detached
// runs, config vars, limits, Ctrl-C.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {binPath} from '../helpers/cli.js'
import {nodeCommand, startLocalHeroku, type LocalHeroku} from './helpers/local-heroku.js'

describe('qjob run-once', () => {
  let heroku: LocalHeroku

  before(async () => {
    heroku = await startLocalHeroku({
      procfile: `worker: ${nodeCommand("console.log('worker once FOO='+process.env.FOO+' args='+process.argv.slice(1).join(' '))")}\n`,
      dotenv: 'FOO=from-config\n',
    })
  })
  after(async () => {
    await heroku.close()
  })

  const creates = () => heroku.exchanges.filter(exchange => exchange.method === 'POST' && exchange.path.endsWith('/dynos'))

  it('runs the worker process type by default, attached, with the app config vars', async () => {
    const result = await heroku.qjob(['run-once'])
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, 'worker once FOO=from-config args=\n')
    assert.match(result.stderr, /^Running `worker` on qjob-test-app as run\.\d+ \(Standard-1X\)…\n$/)
    const body = creates().at(-1)?.requestBody as {command: string; attach: boolean}
    assert.equal(body.attach, true)
    assert.match(body.command, /^worker; echo "\uFFFF heroku-command-exit-status: \$\?"$/)
    assert.ok(
      heroku.emulator.store.dynoList().every(dyno => !dyno.oneOff),
      'the one-off dyno is gone',
    )
  })

  for (const code of [0, 1, 42]) {
    it(`passes exit code ${code} through, with live output and the marker removed`, async () => {
      const result = await heroku.qjob([
        'run-once',
        '--',
        'node',
        '-e',
        `console.log("out ${code}");console.error("err ${code}");process.exit(${code})`,
      ])
      assert.equal(result.code, code, result.stderr)
      assert.equal(result.stdout, `out ${code}\nerr ${code}\n`)
      assert.ok(!result.stdout.includes('heroku-command-exit-status'))
    })
  }

  it('learns the status from the logs when the command ends the shell itself (exit 42)', async () => {
    const result = await heroku.qjob(['run-once', 'echo before; exit 42'])
    assert.equal(result.code, 42, result.stderr)
    assert.equal(result.stdout, 'before\n')
  })

  it('sends -e, --size and --ttl (a duration, as send --ttl); a Procfile type takes arguments', async () => {
    const result = await heroku.qjob([
      'run-once',
      '-e',
      'FOO=per-run',
      '-e',
      'EMPTY=',
      '--size',
      'standard-2x',
      '--ttl',
      '10m',
      'worker now',
    ])
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, 'worker once FOO=per-run args=now\n')
    assert.match(result.stderr, /\(Standard-2X\)/)
    const body = creates().at(-1)?.requestBody as Record<string, unknown>
    assert.deepEqual(body.env, {FOO: 'per-run', EMPTY: ''})
    assert.equal(body.size, 'standard-2x')
    assert.equal(body.time_to_live, 600)
  })

  it('refuses bad input before sending anything (exit 2)', async () => {
    const sent = heroku.exchanges.length
    for (const [args, message] of [
      [['--ttl', '86401'], /--ttl 86401 is out of range/],
      [['--ttl', '0'], /--ttl 0 is out of range/],
      [['-e', 'NOT-A-NAME=1'], /cannot read -e "NOT-A-NAME=1"/],
      [['-e', 'NOVALUE'], /cannot read -e "NOVALUE"/],
      [['--wait'], /--wait goes with --detach/],
      [['--ttl', 'soon'], /^Error: invalid --ttl "soon"\nHint: /],
    ] as const) {
      const result = await heroku.qjob(['run-once', ...args])
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`)
      assert.match(result.stderr, message)
    }
    assert.equal(heroku.exchanges.length, sent)
    const size = await heroku.qjob(['run-once', '--size', 'enormous', 'true'])
    assert.equal(size.code, 2)
    assert.match(size.stderr, /Invalid dyno size: enormous/)
  })

  it('--detach prints the dyno name; --detach --wait waits and exits with its status', async () => {
    const detached = await heroku.qjob(['run-once', '--detach', '--', 'node', '-e', 'console.log("in the logs")'])
    assert.equal(detached.code, 0, detached.stderr)
    const name = detached.stdout.trim()
    assert.match(name, /^run\.\d+$/)
    await heroku.waitForLog(new RegExp(`app\\[${name.replace('.', '\\.')}\\]: in the logs`))

    const waited = await heroku.qjob(['run-once', '--detach', '--wait', '--', 'node', '-e', 'setTimeout(()=>process.exit(42),300)'])
    assert.equal(waited.code, 42, waited.stderr)
    assert.match(waited.stdout, /^run\.\d+\n$/)
    assert.match(waited.stderr, /run\.\d+ exited with status 42\.\n$/)

    const json = await heroku.qjob(['run-once', '--detach', '--wait', '--json', 'true'])
    assert.equal(json.code, 0, json.stderr)
    assert.deepEqual(Object.keys(JSON.parse(json.stdout)), ['name', 'exitCode'])
    assert.equal(JSON.parse(json.stdout).exitCode, 0)
  })

  it('retries the dyno create on the 409 of a release in progress', async () => {
    const injected = heroku.emulator.faults.injected
    heroku.emulator.faults.inject({status: 409, count: 2, method: 'POST', path: '/dynos'})
    const result = await heroku.qjob(['run-once', 'echo after conflict'])
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, 'after conflict\n')
    assert.equal(heroku.emulator.faults.injected - injected, 2)
  })

  it('Ctrl-C stops the dyno and exits 130', async () => {
    const child = spawn(process.execPath, [binPath, 'run-once', '--', 'node', '-e', 'console.log("started");setInterval(()=>{},1000)'], {
      cwd: heroku.home,
      env: heroku.env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', chunk => (stderr += chunk))
    await new Promise<void>(resolve => {
      child.stdout.setEncoding('utf8').on('data', chunk => {
        stdout += chunk
        if (stdout.includes('started')) resolve()
      })
    })
    const running = heroku.emulator.store.dynoList().find(dyno => dyno.oneOff)
    assert.ok(running, 'a one-off dyno runs')
    child.kill('SIGINT')
    const code = await new Promise<number | null>(resolve => child.on('close', resolve))
    assert.equal(code, 130, stderr)
    assert.match(stderr, new RegExp(`Stopped ${running.name.replace('.', '\\.')}\\.`))
    await heroku.waitForLog(new RegExp(`heroku\\[${running.name.replace('.', '\\.')}\\]: State changed from up to down`))
    assert.equal(heroku.emulator.store.findDyno(running.name), undefined)
  })

  it('an untrusted rendezvous certificate fails with a hint (exit 1), and the dyno is stopped', async () => {
    const result = await heroku.qjob(['run-once', 'echo never'], {env: heroku.env({NODE_EXTRA_CA_CERTS: ''})})
    assert.equal(result.code, 1)
    assert.match(
      result.stderr,
      /Error: cannot attach to the dyno at 127\.0\.0\.1:\d+: DEPTH_ZERO_SELF_SIGNED_CERT\nHint: For the local emulator, set NODE_EXTRA_CA_CERTS/,
    )
    assert.equal(result.stdout, '')
    const name = /as (run\.\d+)/.exec(result.stderr)?.[1] as string
    assert.equal(heroku.emulator.store.findDyno(name), undefined)
  })

  it('trusts the certificate named by NODE_EXTRA_CA_CERTS in .env (Node itself reads only the environment)', async () => {
    const project = join(heroku.home, 'project')
    mkdirSync(project)
    writeFileSync(join(project, '.env'), `NODE_EXTRA_CA_CERTS=${heroku.emulator.certificate.certPath}\n`)
    const result = await heroku.qjob(['run-once', 'echo via dotenv'], {cwd: project, env: heroku.env({NODE_EXTRA_CA_CERTS: ''})})
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, 'via dotenv\n')
  })

  it('every request and response followed the schema; the token never appeared in output', () => {
    assert.ok(creates().length >= 8)
    assert.deepEqual(heroku.violations, [])
    assert.deepEqual(heroku.leaks, [])
  })
})
