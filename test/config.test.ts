import assert from 'node:assert/strict'
import {chmodSync, mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, it} from 'node:test'

import {ConfigStore, Settings} from '../src/lib/config.js'
import {parseDotenv} from '../src/common/dotenv.js'
import {UsageError} from '../src/common/errors.js'
import {cleanEnv, runCli, tempDir} from './helpers/cli.js'

describe('Settings precedence (flag > env > .env > saved)', () => {
  let dir: ReturnType<typeof tempDir>
  beforeEach(() => {
    dir = tempDir()
    new ConfigStore(join(dir.path, 'config')).set('queue', 'from-saved')
  })
  afterEach(() => dir.cleanup())

  const settings = (env: NodeJS.ProcessEnv) => new Settings({configDir: join(dir.path, 'config'), cwd: dir.path, env})

  it('uses the saved value last', () => {
    assert.deepEqual(settings({}).resolve('queue'), {key: 'queue', value: 'from-saved', source: 'config'})
  })

  it('.env beats saved', () => {
    writeFileSync(join(dir.path, '.env'), 'QUEUE_NAME=from-dotenv\n')
    assert.equal(settings({}).resolve('queue')?.source, '.env')
    assert.equal(settings({}).get('queue'), 'from-dotenv')
  })

  it('the environment beats .env', () => {
    writeFileSync(join(dir.path, '.env'), 'QUEUE_NAME=from-dotenv\n')
    assert.equal(settings({QUEUE_NAME: 'from-env'}).get('queue'), 'from-env')
  })

  it('a flag beats everything', () => {
    writeFileSync(join(dir.path, '.env'), 'QUEUE_NAME=from-dotenv\n')
    assert.deepEqual(settings({QUEUE_NAME: 'from-env'}).resolve('queue', 'from-flag'), {key: 'queue', value: 'from-flag', source: 'flag'})
  })

  it('require() names the flag, variable and config command when nothing is set', () => {
    assert.throws(
      () => settings({}).require('app', undefined),
      (error: UsageError) => {
        assert.equal(error.exitCode, 2)
        assert.match(error.hint ?? '', /--app.*HEROKU_APP.*qjob config set app/)
        return true
      },
    )
  })
})

describe('parseDotenv', () => {
  it('reads quotes, export, comments and blank lines', () => {
    const text = '# c\n\nexport A=1\nB="two words" # note\nC=\'single\'\nD=plain # comment\nE=\n'
    assert.deepEqual(parseDotenv(text), {A: '1', B: 'two words', C: 'single', D: 'plain', E: ''})
  })

  it('rejects a malformed line, naming it', () => {
    assert.throws(() => parseDotenv('A=1\nthis is not a setting\n', '/x/.env'), /\/x\/\.env:2: expected NAME=value/)
  })

  it('rejects an unterminated quote', () => {
    assert.throws(() => parseDotenv('A="open\n'), /\.env:1: unterminated/)
  })
})

describe('qjob config (end to end)', () => {
  let dir: ReturnType<typeof tempDir>
  let env: NodeJS.ProcessEnv
  beforeEach(() => {
    dir = tempDir()
    env = cleanEnv(dir.path)
  })
  afterEach(() => dir.cleanup())

  const configFile = () => join(dir.path, '.config', 'qjob', 'config.json')
  const qjob = (...args: string[]) => runCli(args, {cwd: dir.path, env})

  it('set, get, list, unset', async () => {
    let result = await qjob('config', 'set', 'queue', 'jobs')
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, 'Saved queue = jobs\n')
    assert.equal(statSync(configFile()).mode & 0o777, 0o600)

    result = await qjob('config', 'get', 'queue')
    assert.deepEqual([result.code, result.stdout, result.stderr], [0, 'jobs\n', ''])

    result = await qjob('config', 'get', 'queue', '--json')
    assert.deepEqual(JSON.parse(result.stdout), {key: 'queue', value: 'jobs', source: 'config'})

    result = await qjob('config', 'list', '--json')
    const rows = JSON.parse(result.stdout) as Array<Record<string, unknown>>
    assert.deepEqual(
      rows.find(row => row.key === 'queue'),
      {key: 'queue', env: 'QUEUE_NAME', value: 'jobs', source: 'config'},
    )
    assert.ok(rows.every(row => Object.keys(row).join() === 'key,env,value,source'))

    result = await qjob('config', 'unset', 'queue')
    assert.deepEqual([result.code, result.stdout], [0, 'Removed queue\n'])
    result = await qjob('config', 'get', 'queue')
    assert.equal(result.code, 3)
    assert.match(result.stderr, /^Error: queue is not set\nHint: /)
  })

  it('shows the environment and .env over saved values, with sources', async () => {
    await qjob('config', 'set', 'queue', 'saved-q')
    await qjob('config', 'set', 'app', 'saved-app')
    writeFileSync(join(dir.path, '.env'), 'QUEUE_NAME=dotenv-q\nHEROKU_APP=dotenv-app\n')
    env.HEROKU_APP = 'env-app'
    const result = await qjob('config', 'list', '--json')
    const rows = JSON.parse(result.stdout) as Array<{key: string; value: string; source: string}>
    const byKey = Object.fromEntries(rows.map(row => [row.key, row]))
    assert.deepEqual([byKey.queue.value, byKey.queue.source], ['dotenv-q', '.env'])
    assert.deepEqual([byKey.app.value, byKey.app.source], ['env-app', 'env'])
  })

  it('never prints a saved connection string, in list, get or the table', async () => {
    const secret = 'Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=TOPSECRETKEY123='
    const set = await qjob('config', 'set', 'connection-string', secret)
    assert.equal(set.code, 0)
    for (const args of [
      ['config', 'list'],
      ['config', 'list', '--json'],
      ['config', 'get', 'connection-string'],
      ['config', 'set', 'connection-string', secret],
    ]) {
      const result = await qjob(...args)
      assert.equal(result.code, 0, result.stderr)
      assert.ok(!`${result.stdout}${result.stderr}`.includes('TOPSECRETKEY123'), args.join(' '))
    }
    const revealed = await qjob('config', 'get', 'connection-string', '--reveal')
    assert.equal(revealed.stdout, `${secret}\n`)
  })

  it('an unknown key is exit 2, nothing written', async () => {
    for (const args of [
      ['config', 'get', 'colour'],
      ['config', 'set', 'colour', 'red'],
      ['config', 'unset', 'colour'],
    ]) {
      const result = await qjob(...args)
      assert.equal(result.code, 2, args.join(' '))
      assert.match(result.stderr, /^Error: unknown setting "colour"\nHint: Settings: connection-string, /)
      assert.equal(result.stdout, '')
    }
    assert.throws(() => statSync(configFile()), /ENOENT/)
  })

  it('a malformed .env line is exit 2 naming the line, nothing changed', async () => {
    await qjob('config', 'set', 'queue', 'jobs')
    const before = readFileSync(configFile(), 'utf8')
    writeFileSync(join(dir.path, '.env'), 'QUEUE_NAME=ok\nnot a line\n')
    const result = await qjob('config', 'list')
    assert.equal(result.code, 2)
    assert.match(result.stderr, /^Error: .*\.env:2: expected NAME=value\n/)
    assert.ok(!result.stderr.includes('    at '), 'no stack trace')
    assert.equal(readFileSync(configFile(), 'utf8'), before)
  })

  it('an unreadable or corrupt config file is exit 2 and left as it was', async () => {
    mkdirSync(join(dir.path, '.config', 'qjob'), {recursive: true})
    writeFileSync(configFile(), '{not json')
    for (const args of [
      ['config', 'list'],
      ['config', 'set', 'queue', 'x'],
    ]) {
      const result = await qjob(...args)
      assert.equal(result.code, 2, args.join(' '))
      assert.match(result.stderr, /config\.json is not valid JSON/)
    }
    assert.equal(readFileSync(configFile(), 'utf8'), '{not json')

    writeFileSync(configFile(), '{}')
    chmodSync(configFile(), 0o000)
    if (process.getuid?.() !== 0) {
      const result = await qjob('config', 'list')
      assert.equal(result.code, 2)
      assert.match(result.stderr, /^Error: cannot read .*config\.json/)
    }
  })
})
