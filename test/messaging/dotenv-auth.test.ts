// A rejected key that came from ./.env: the error says so (the file is easy to forget), in text
// and in --json; a key from the environment gets no such note.
import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {startMessagingFixture, type MessagingFixture} from './helpers.js'

describe('auth errors name ./.env as the source of the key', () => {
  let fx: MessagingFixture
  let wrong: string
  before(async () => {
    fx = await startMessagingFixture([{name: 'jobs'}])
    wrong = fx.emulator.connectionString.replace(
      /SharedAccessKey=[^;]+/,
      'SharedAccessKey=d3JvbmctYnV0LWxvbmctZW5vdWdoLWtleS0wMTIzNDU2Nzg5',
    )
    assert.notEqual(wrong, fx.emulator.connectionString)
  })
  after(async () => {
    await fx.stop()
  })

  it('says "the key from ./.env" when the connection string came from .env', async () => {
    writeFileSync(join(fx.home, '.env'), `SERVICEBUS_CONNECTION_STRING=${wrong}\n`)
    try {
      const result = await fx.qjob(['peek', '-q', 'jobs'], {env: {SERVICEBUS_CONNECTION_STRING: ''}})
      assert.equal(result.code, 4, result.stderr)
      assert.match(result.stderr, /^Error: .+ \(the key from \.\/\.env: SERVICEBUS_CONNECTION_STRING\)\n/)
      const json = await fx.qjob(['peek', '-q', 'jobs', '--json'], {env: {SERVICEBUS_CONNECTION_STRING: ''}})
      assert.equal(json.code, 4)
      assert.match(
        (JSON.parse(json.stderr) as {error: {message: string}}).error.message,
        /\(the key from \.\/\.env: SERVICEBUS_CONNECTION_STRING\)$/,
      )
      assert.ok(!`${result.stderr}${json.stderr}`.includes('d3JvbmctYnV0'), 'the key itself is never printed')
      // The same wrong key from the environment: no note about .env.
      const fromEnv = await fx.qjob(['peek', '-q', 'jobs'], {env: {SERVICEBUS_CONNECTION_STRING: wrong}})
      assert.equal(fromEnv.code, 4)
      assert.ok(!fromEnv.stderr.includes('.env'), fromEnv.stderr)
    } finally {
      writeFileSync(join(fx.home, '.env'), '')
    }
  })
})
