// Where the Heroku token is found, in order: HEROKU_API_KEY, ~/.netrc, the OS credential store
// (macOS security, Linux secret-tool, Windows PowerShell PasswordVault), `heroku auth:token`.
// The stores and the heroku CLI are fake executables on PATH that answer only the expected call.
import assert from 'node:assert/strict'
import {chmodSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {AuthError} from '../../src/common/errors.js'
import {parseNetrc} from '../../src/lib/heroku/netrc.js'
import {resolveToken} from '../../src/lib/heroku/token.js'
import {tempDir} from '../helpers/cli.js'
import {nodeCommand, startLocalHeroku, type LocalHeroku} from './helpers/local-heroku.js'

/** A directory with one fake executable that prints `output` when called with exactly `args`. */
function fakeBin(root: string, name: string, args: string[], output: string): string {
  const dir = join(root, `bin-${name}-${Math.random().toString(36).slice(2)}`)
  mkdirSync(dir)
  const expected = args.join(' ')
  writeFileSync(
    join(dir, name),
    `#!/bin/sh\nif [ "$*" = '${expected.replaceAll("'", "'\\''")}' ]; then echo '${output}'; exit 0; fi\necho "unexpected: $*" >&2\nexit 1\n`,
  )
  chmodSync(join(dir, name), 0o755)
  return dir
}

const noEnv = () => undefined

describe('Heroku token lookup', {skip: process.platform === 'win32' && 'fake binaries are shell scripts'}, () => {
  const temp = tempDir('qjob-token-test-')
  const home = join(temp.path, 'home')
  mkdirSync(home)
  const env = (path: string, extra: NodeJS.ProcessEnv = {}) => ({PATH: path, HOME: home, ...extra})
  after(() => temp.cleanup())

  it('HEROKU_API_KEY wins over every other source', async () => {
    const path = fakeBin(temp.path, 'heroku', ['auth:token'], 'from-cli')
    const found = await resolveToken(name => (name === 'HEROKU_API_KEY' ? 'from-env' : undefined), {env: env(path), platform: 'linux'})
    assert.deepEqual(found, {token: 'from-env', source: 'HEROKU_API_KEY', where: 'HEROKU_API_KEY'})
  })

  it('reads ~/.netrc machine api.heroku.com (quoted values, comments and macdef skipped)', async () => {
    const netrcHome = join(temp.path, 'netrc-home')
    mkdirSync(netrcHome)
    writeFileSync(
      join(netrcHome, '.netrc'),
      '# mine\nmacdef init\n  machine api.heroku.com password macro-not-me\n\nmachine git.heroku.com login me password git-one\nmachine api.heroku.com\n  login me@example.com\n  password "netrc token"\n',
    )
    const found = await resolveToken(noEnv, {env: {PATH: '', HOME: netrcHome}, platform: 'linux'})
    assert.equal(found.token, 'netrc token')
    assert.equal(found.source, 'netrc')
  })

  it('parses default blocks and one-line entries', () => {
    const machines = parseNetrc('machine a login x password y default login d password e')
    assert.deepEqual(machines.get('a'), {login: 'x', password: 'y'})
    assert.deepEqual(machines.get('default'), {login: 'd', password: 'e'})
  })

  it('Linux: asks secret-tool for service heroku-cli, with the netrc login as the account', async () => {
    const accountHome = join(temp.path, 'login-only')
    mkdirSync(accountHome)
    writeFileSync(join(accountHome, '.netrc'), 'machine api.heroku.com\n  login me@example.com\n')
    const path = fakeBin(temp.path, 'secret-tool', ['lookup', 'service', 'heroku-cli', 'account', 'me@example.com'], 'from-keyring')
    const found = await resolveToken(noEnv, {env: {PATH: path, HOME: accountHome}, platform: 'linux'})
    assert.deepEqual(found, {token: 'from-keyring', source: 'credential-store', where: 'the Secret Service keyring (secret-tool)'})
  })

  it('macOS: asks security find-generic-password -s heroku-cli -w', async () => {
    const path = fakeBin(temp.path, 'security', ['find-generic-password', '-s', 'heroku-cli', '-w'], 'from-keychain')
    const found = await resolveToken(noEnv, {env: env(path), platform: 'darwin'})
    assert.equal(found.token, 'from-keychain')
    assert.equal(found.where, 'the macOS keychain (security)')
  })

  it('Windows: asks PowerShell for the PasswordVault credential of heroku-cli', async () => {
    const dir = join(temp.path, 'bin-powershell')
    mkdirSync(dir)
    // The script must name the heroku-cli resource; the password is the last line printed.
    writeFileSync(
      join(dir, 'powershell'),
      `#!/bin/sh\ncase "$*" in *"FindAllByResource('heroku-cli')"*) echo ignored; echo from-vault; exit 0;; esac\nexit 1\n`,
    )
    chmodSync(join(dir, 'powershell'), 0o755)
    const found = await resolveToken(noEnv, {env: env(dir), platform: 'win32'})
    assert.equal(found.token, 'from-vault')
    assert.equal(found.where, 'the Windows Credential Manager')
  })

  it('last, runs "heroku auth:token" when heroku is on PATH', async () => {
    const path = fakeBin(temp.path, 'heroku', ['auth:token'], 'from-cli')
    const found = await resolveToken(noEnv, {env: env(path), platform: 'linux'})
    assert.deepEqual(found, {token: 'from-cli', source: 'heroku auth:token', where: '"heroku auth:token"'})
  })

  it('nothing found: exit 4, the error names every place looked', async () => {
    const error = await resolveToken(noEnv, {env: env(join(temp.path, 'empty')), platform: 'linux'}).catch((error_: unknown) => error_)
    assert.ok(error instanceof AuthError)
    assert.equal(error.exitCode, 4)
    assert.equal(
      error.message,
      `no Heroku API token; looked in HEROKU_API_KEY, ${join(home, '.netrc')} (machine api.heroku.com), the Secret Service keyring (secret-tool) (not installed), "heroku auth:token" (no heroku on PATH)`,
    )
  })
})

describe('qjob ps with only a heroku CLI on PATH', {skip: process.platform === 'win32' && 'fake binaries are shell scripts'}, () => {
  let heroku: LocalHeroku
  before(async () => {
    heroku = await startLocalHeroku({procfile: `worker: ${nodeCommand('setInterval(()=>{},1000)')}\n`})
  })
  after(async () => {
    await heroku.close()
  })

  it('finds the token through "heroku auth:token" (no env, no netrc)', async () => {
    const path = fakeBin(heroku.home, 'heroku', ['auth:token'], heroku.emulator.token)
    const result = await heroku.qjob(['ps', '--json'], {env: heroku.env({HEROKU_API_KEY: '', PATH: path})})
    assert.equal(result.code, 0, result.stderr)
    assert.ok(Array.isArray(JSON.parse(result.stdout)))
  })

  it('a rejected key from ./.env says it came from there', async () => {
    writeFileSync(join(heroku.appDir, '.env'), 'HEROKU_API_KEY=HRKU-AAfromdotenvfromdotenvfromdotenv\n')
    try {
      const result = await heroku.qjob(['ps'], {env: heroku.env({HEROKU_API_KEY: ''}), cwd: heroku.appDir})
      assert.equal(result.code, 4)
      assert.match(result.stderr, /^Error: Heroku API: .+ \(the key from \.\/\.env: HEROKU_API_KEY\)\n/)
      const json = await heroku.qjob(['ps', '--json'], {env: heroku.env({HEROKU_API_KEY: ''}), cwd: heroku.appDir})
      const {error} = JSON.parse(json.stderr) as {error: {message: string; hint: string | null; exitCode: number}}
      assert.equal(json.code, 4)
      assert.equal(error.exitCode, 4)
      assert.match(error.message, /the key from \.\/\.env/)
    } finally {
      writeFileSync(join(heroku.appDir, '.env'), '')
    }
  })
})
