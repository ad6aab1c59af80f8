import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {describeError, OperationError} from '../src/common/errors.js'
import {redact, registerSecret} from '../src/common/redact.js'

const KEY = 'c2VjcmV0LWtleS12YWx1ZS0xMjM0NTY3ODkwYWJjZGVm+/='
const SECRETS = [
  `Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=${KEY}`,
  `Endpoint=sb://127.0.0.1:5672;SharedAccessKeyName=Root;SharedAccessKey=${KEY};UseDevelopmentEmulator=true`,
  `SharedAccessSignature sr=sb%3A%2F%2Fns%2Fq&sig=${encodeURIComponent(KEY)}&se=1700000000&skn=Root`,
  `Endpoint=sb://ns/;SharedAccessSignature=SharedAccessSignature sr=x&sig=${KEY}&se=1&skn=a`,
  `Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.${KEY}`,
  'token HRKU-AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQrrSSttUU_-12',
  'HEROKU_API_KEY=01234567-89ab-cdef-0123-456789abcdef',
  'machine api.heroku.com login a@b.c password 01234567-89ab-cdef-0123-456789abcdef',
]

describe('redact', () => {
  for (const text of SECRETS) {
    it(`removes the secret from: ${text.slice(0, 40)}…`, () => {
      const out = redact(`failed: ${text} (retrying)`)
      assert.ok(!out.includes(KEY), out)
      assert.ok(!out.includes(encodeURIComponent(KEY)), out)
      assert.ok(!/HRKU-AAbb|01234567-89ab/.test(out), out)
      assert.match(out, /\*\*\*/)
    })
  }

  it('keeps the non-secret parts readable', () => {
    const out = redact(SECRETS[0])
    assert.equal(out, 'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=***')
  })

  it('removes registered values of any shape', () => {
    registerSecret('plain-uuid-like-token-42')
    assert.equal(redact('token plain-uuid-like-token-42 rejected'), 'token *** rejected')
  })

  it('is applied to every error line, hint and stack included', () => {
    const error = new OperationError(`cannot connect with ${SECRETS[0]}`, {hint: `check ${SECRETS[2]}`})
    for (const debug of [false, true]) {
      const text = describeError(error, {debug})
      assert.ok(!text.includes(KEY), text)
      assert.match(text, /^Error: cannot connect with Endpoint=sb:\/\/ns/)
    }
  })
})
