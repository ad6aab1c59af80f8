// Issue 16, small contract fixes for messaging commands: `schedule --at` in the past warns, and
// `-p key:=json` takes the scalars the README promises and refuses objects and arrays.
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'

import {type MessagingFixture, ndjson, startMessagingFixture} from '../messaging/helpers.js'

describe('small contract fixes', () => {
  let fx: MessagingFixture
  before(async () => {
    fx = await startMessagingFixture([{name: 'past'}, {name: 'props'}])
  })
  after(async () => {
    await fx.stop()
  })

  it('schedule --at in the past warns that it is enqueued at once', async () => {
    const result = await fx.qjob(['schedule', '-q', 'past', 'x', '--at', '2020-01-01T00:00:00Z'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stderr, /Warning: --at 2020-01-01T00:00:00Z is in the past: Service Bus enqueues the message at once/)
    const future = await fx.qjob(['schedule', '-q', 'past', 'x', '--in', '1h'])
    assert.equal(future.stderr, '')
  })

  it('-p key:=json takes strings, numbers, booleans and null; objects and arrays are exit 2', async () => {
    const sent = await fx.qjob(['send', '-q', 'props', 'x', '-p', 's:="text"', '-p', 'n:=1.5', '-p', 'b:=false', '-p', 'z:=null'])
    assert.equal(sent.code, 0, sent.stderr)
    const received = await fx.qjob(['receive', '-q', 'props', '--ndjson'])
    assert.deepEqual(ndjson(received.stdout)[0].applicationProperties, {s: 'text', n: 1.5, b: false, z: null})
    for (const value of ['{"a":1}', '[1,2]']) {
      const result = await fx.qjob(['send', '-q', 'props', 'x', '-p', `k:=${value}`])
      assert.equal(result.code, 2, result.stderr)
      assert.match(result.stderr, /property "k" must be a string, number, boolean or null/)
    }
  })
})

describe('logs source', () => {
  it('logs -s with an unknown source is exit 2 before anything is asked of Heroku', async () => {
    const {cleanEnv, runCli, tempDir} = await import('../helpers/cli.js')
    const home = tempDir('qjob-logs-source-')
    try {
      const result = await runCli(['logs', '-a', 'some-app', '-s', 'foo'], {
        home: home.path,
        env: cleanEnv(home.path, {HEROKU_API_KEY: 'HRKU-test-token'}),
      })
      assert.equal(result.code, 2, result.stderr)
      assert.match(result.stderr, /^Error: .*foo.*\n/)
      assert.match(result.stderr, /app, heroku/)
    } finally {
      home.cleanup()
    }
  })
})
