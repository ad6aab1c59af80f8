// Issue 16, small fixes: the Azure SDK's and rhea's debug logging go through qjob's redaction.
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'

import {type MessagingFixture, startMessagingFixture} from '../messaging/helpers.js'

describe('SDK debug logging never prints secrets', () => {
  let fx: MessagingFixture
  let key: string
  before(async () => {
    fx = await startMessagingFixture([{name: 'logged'}])
    key = /SharedAccessKey=([^;]+)/.exec(fx.emulator.connectionString)![1]
  })
  after(async () => {
    await fx.stop()
  })

  for (const env of [{AZURE_LOG_LEVEL: 'verbose'}, {DEBUG: '*'}]) {
    it(`${Object.entries(env)[0].join('=')}: logs, but no key and no SAS signature`, async () => {
      const sent = await fx.qjob(['send', '-q', 'logged', 'hello'], {env})
      assert.equal(sent.code, 0, sent.stderr.slice(-2000))
      const received = await fx.qjob(['receive', '-q', 'logged', '--idle-timeout', '2'], {env})
      assert.equal(received.code, 0, received.stderr.slice(-2000))
      const stderr = sent.stderr + received.stderr
      // The loggers did log (this test would pass vacuously otherwise).
      assert.match(stderr, /azure|rhea/)
      assert.ok(!stderr.includes(key), 'the shared access key was printed')
      assert.doesNotMatch(stderr, /sig=(?!\*\*\*)[^&\s"']{8,}/, 'a SAS signature was printed')
      assert.doesNotMatch(stderr, /SharedAccessSignature (?!\*\*\*)sr=/, 'a SAS token was printed')
    })
  }
})
