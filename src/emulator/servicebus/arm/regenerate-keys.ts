// ARM regenerateKeys (RegenerateAccessKeyParameters: keyType PrimaryKey | SecondaryKey, optional
// key): the named key of a policy is replaced with a new random one, or with `key` when given.
// Tokens already put on $cbs stay valid until they expire, as in Azure; the next put-token signed
// with the old key (the SDK's renewal) is refused, since verification uses the current keys.
import {randomBytes} from 'node:crypto'

import {registerSecret} from '../../../common/redact.js'
import type {AuthorizationRule} from '../broker/queue-properties.js'
import {NAMESPACE} from '../constants.js'

export class RegenerateKeysError extends Error {}

/** The rule with one key replaced (a copy; the caller stores it). */
export function regeneratedRule(rule: AuthorizationRule, body: Record<string, unknown>): AuthorizationRule {
  const {keyType, key} = body
  if (keyType !== 'PrimaryKey' && keyType !== 'SecondaryKey')
    throw new RegenerateKeysError("keyType must be 'PrimaryKey' or 'SecondaryKey'.")
  if (key !== undefined && (typeof key !== 'string' || key.length < 8 || key.length > 256))
    throw new RegenerateKeysError('key must be a string of 8 to 256 characters.')
  const next = (key as string | undefined) ?? randomBytes(NAMESPACE.generatedKeyBytes).toString('base64')
  registerSecret(next)
  return keyType === 'PrimaryKey' ? {...rule, primaryKey: next} : {...rule, secondaryKey: next}
}
