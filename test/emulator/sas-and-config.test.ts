// SAS token verification and the emulator config on their own (no sockets).
import assert from 'node:assert/strict'
import {createHmac} from 'node:crypto'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, test} from 'node:test'

import {ConnectionTokens} from '../../src/emulator/servicebus/auth/connection-tokens.js'
import {audiencePath, createSasToken, SasError, verifySasToken} from '../../src/emulator/servicebus/auth/sas-token.js'
import type {AuthorizationRule} from '../../src/emulator/servicebus/broker/queue-properties.js'
import {checkConfig, defaultPolicy, readConfigFile, toQueueSettings} from '../../src/emulator/servicebus/config/namespace-config.js'
import {parseDurationMs} from '../../src/emulator/servicebus/config/durations.js'
import {tempDir} from '../helpers/cli.js'

const rule: AuthorizationRule = {keyName: 'Root', primaryKey: 'primary-key-0123', secondaryKey: 'secondary-key-0123', rights: ['Send']}
const rulesFor = (keyName: string) => (keyName === rule.keyName ? [rule] : [])
const now = Date.now()
const inAnHour = Math.floor(now / 1000) + 3600
const refusal = (token: string) => {
  try {
    verifySasToken(token, rulesFor, now)
  } catch (error) {
    assert.ok(error instanceof SasError)
    return error.message
  }
  throw new Error('expected a refusal')
}

describe('SAS tokens', () => {
  test('a token signed as the SDK signs it is accepted, with either key', () => {
    // The SDK's own recipe (core-amqp tokenProvider): HMAC over encodeURIComponent(aud) + "\n" + se.
    const audience = 'sb://127.0.0.1:5672/jobs'
    const signature = createHmac('sha256', Buffer.from(rule.primaryKey))
      .update(`${encodeURIComponent(audience)}\n${inAnHour}`)
      .digest('base64')
    const token = `SharedAccessSignature sr=${encodeURIComponent(audience)}&sig=${encodeURIComponent(signature)}&se=${inAnHour}&skn=Root`
    assert.deepEqual(verifySasToken(token, rulesFor, now), {audiencePath: 'jobs', rights: new Set(['Send']), expiresAtMs: inAnHour * 1000})
    assert.equal(verifySasToken(createSasToken(audience, 'Root', rule.secondaryKey!, inAnHour), rulesFor, now).audiencePath, 'jobs')
  })

  test('wrong key, unknown key name, tampered audience, expiry and garbage are refused', () => {
    assert.match(refusal(createSasToken('sb://h/jobs', 'Root', 'not-the-key', inAnHour)), /invalid signature/)
    assert.match(refusal(createSasToken('sb://h/jobs', 'Nobody', rule.primaryKey, inAnHour)), /'Nobody' is not known/)
    const tampered = createSasToken('sb://h/jobs', 'Root', rule.primaryKey, inAnHour).replace('jobs', 'other')
    assert.match(refusal(tampered), /invalid signature/)
    const longer = createSasToken('sb://h/jobs', 'Root', rule.primaryKey, inAnHour).replace(`se=${inAnHour}`, `se=${inAnHour + 1000}`)
    assert.match(refusal(longer), /invalid signature/)
    assert.match(refusal(createSasToken('sb://h/jobs', 'Root', rule.primaryKey, Math.floor(now / 1000) - 1)), /expired/)
    assert.match(refusal('Bearer abc'), /not a SharedAccessSignature/)
    assert.match(refusal('SharedAccessSignature sr=a&sig=b'), /must carry/)
  })

  test('audience paths and what a token covers', () => {
    assert.equal(audiencePath('sb://localhost:5672/Q1/$DeadLetterQueue'), 'q1/$deadletterqueue')
    assert.equal(audiencePath('sb://localhost:5672/'), '')
    const tokens = new ConnectionTokens()
    tokens.put({audiencePath: 'jobs', rights: new Set(['Listen']), expiresAtMs: now + 60_000})
    assert.deepEqual(tokens.authorize('jobs/$DeadLetterQueue', ['Listen'], now), {allowed: true})
    assert.equal(tokens.authorize('jobs', ['Send'], now).allowed, false)
    assert.equal(tokens.authorize('jobs-other', ['Listen'], now).allowed, false, 'a prefix of the name is not a parent path')
    assert.match((tokens.authorize('jobs', ['Listen'], now + 120_000) as {reason: string}).reason, /expired/)
    tokens.put({audiencePath: '', rights: new Set(['Manage']), expiresAtMs: now + 60_000})
    assert.deepEqual(tokens.authorize('anything', ['Send'], now), {allowed: true}, 'Manage on the namespace implies Send everywhere')
  })
})

describe('emulator config', () => {
  test('durations: ISO 8601 or milliseconds', () => {
    assert.equal(parseDurationMs('PT30S', 'x'), 30_000)
    assert.equal(parseDurationMs('PT0.5S', 'x'), 500)
    assert.equal(parseDurationMs('P1DT2H', 'x'), 26 * 3600_000)
    assert.equal(parseDurationMs(1500, 'x'), 1500)
    for (const bad of ['30s', 'PT', 'P', -1, 0, 'soon']) assert.throws(() => parseDurationMs(bad, 'lockDuration'), /lockDuration must be/)
  })

  test('a config file gives policies and queue settings; mistakes are named', () => {
    const dir = tempDir('qjob-config-')
    try {
      const path = join(dir.path, 'emulator.json')
      writeFileSync(
        path,
        JSON.stringify({
          policies: [{name: 'app', key: 'app-key-01234', rights: ['Send', 'Listen']}],
          queues: [
            {
              name: 'jobs',
              lockDuration: 'PT10S',
              maxDeliveryCount: 4,
              policies: [{name: 'worker', key: 'worker-key-01', rights: ['Listen']}],
            },
          ],
        }),
      )
      const config = readConfigFile(path)
      assert.equal(config.policies[0].name, 'app')
      const settings = toQueueSettings(config.queues[0])
      assert.equal(settings.lockDurationMs, 10_000)
      assert.equal(settings.maxDeliveryCount, 4)
      assert.deepEqual(settings.authorizationRules, [
        {keyName: 'worker', primaryKey: 'worker-key-01', secondaryKey: undefined, rights: ['Listen']},
      ])
      assert.throws(() => checkConfig({queues: [{name: 'q', lockduration: 'PT1S'}]}), /unknown field\(s\) lockduration/)
      assert.throws(() => checkConfig({policies: [{name: 'p', key: 'short', rights: ['Send']}]}), /at least 8 characters/)
      assert.throws(() => checkConfig({policies: [{name: 'p', key: 'long-enough-key', rights: ['Write']}]}), /needs "rights"/)
      writeFileSync(path, '{not json')
      assert.throws(() => readConfigFile(path), /is not valid JSON/)
    } finally {
      dir.cleanup()
    }
  })

  test('the default policy key is created once and kept', () => {
    const dir = tempDir('qjob-default-policy-')
    try {
      const first = defaultPolicy(dir.path)
      assert.equal(first.name, 'RootManageSharedAccessKey')
      assert.equal(Buffer.from(first.key, 'base64').length, 32)
      assert.deepEqual(defaultPolicy(dir.path), first)
      assert.match(readFileSync(join(dir.path, 'namespace.json'), 'utf8'), /RootManageSharedAccessKey/)
      assert.notEqual(defaultPolicy(undefined).key, first.key)
    } finally {
      dir.cleanup()
    }
  })
})
