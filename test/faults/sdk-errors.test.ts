// Issue 16, item 10: raw SDK errors get a hint and the right exit code.
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'

import {type MessagingFixture, startMessagingFixture} from '../messaging/helpers.js'

describe('SDK errors a new user meets', () => {
  let fx: MessagingFixture
  before(async () => {
    fx = await startMessagingFixture([
      {name: 'sessions', requiresSession: true},
      {name: 'mine', policies: [{name: 'mine-only', key: 'a-queue-level-key-0123', rights: ['Send', 'Listen']}]},
      {name: 'theirs'},
    ])
  })
  after(async () => {
    await fx.stop()
  })

  it('receive on a session queue without a session flag is exit 2 naming the flags', async () => {
    const result = await fx.qjob(['receive', '-q', 'sessions', '--idle-timeout', '1'])
    assert.equal(result.code, 2, result.stderr)
    assert.match(
      result.stderr,
      /^Error: queue "sessions" requires sessions: say which session to receive from\nHint: Pass --session-id ID or --next-session/,
    )
  })

  it('a queue-level connection string used on another queue is exit 4', async () => {
    const connectionString = fx.emulator.connectionStringFor('mine-only', 'mine')
    for (const args of [
      ['send', '-q', 'theirs', 'x'],
      ['receive', '-q', 'theirs', '--idle-timeout', '1'],
      ['peek', '-q', 'theirs'],
    ]) {
      const result = await fx.qjob([...args, '--connection-string', connectionString])
      assert.equal(result.code, 4, `${args[0]}: ${result.stderr}`)
      assert.match(result.stderr, /^Error: this connection string is for another queue \(its EntityPath\), not queue "theirs"\nHint: /)
      assert.doesNotMatch(result.stderr, /a-queue-level-key/)
    }
  })
})
