// Shared access signatures as Azure checks them: `SharedAccessSignature sr=<E(audience)>&sig=
// <E(base64 HMAC-SHA256)>&se=<expiry, Unix seconds>&skn=<E(key name)>`, the HMAC keyed with the
// UTF-8 bytes of the key text over `sr` (as sent) + "\n" + `se`.
import {createHmac, timingSafeEqual} from 'node:crypto'

import type {AccessRight, AuthorizationRule} from '../broker/queue-properties.js'

export interface SasTokenParts {
  /** `sr` exactly as sent (URL-encoded): the signed text uses it. */
  encodedResource: string
  audience: string
  signature: string
  expiresAtSeconds: number
  keyName: string
}

export class SasError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message)
  }
}

const PREFIX = 'SharedAccessSignature '

export function parseSasToken(token: string): SasTokenParts {
  if (typeof token !== 'string' || !token.startsWith(PREFIX))
    throw new SasError(401, 'InvalidSignature: the token is not a SharedAccessSignature.')
  const fields = new Map<string, string>()
  for (const part of token.slice(PREFIX.length).trim().split('&')) {
    const equals = part.indexOf('=')
    if (equals > 0) fields.set(part.slice(0, equals), part.slice(equals + 1))
  }
  const encodedResource = fields.get('sr')
  const signature = fields.get('sig')
  const expiry = fields.get('se')
  const keyName = fields.get('skn')
  if (!encodedResource || !signature || !expiry || !keyName) {
    throw new SasError(401, 'InvalidSignature: the token must carry sr, sig, se and skn.')
  }
  const expiresAtSeconds = Number(expiry)
  if (!Number.isFinite(expiresAtSeconds)) throw new SasError(401, 'InvalidSignature: se is not a number.')
  try {
    return {
      encodedResource,
      audience: decodeURIComponent(encodedResource),
      signature: decodeURIComponent(signature),
      expiresAtSeconds,
      keyName: decodeURIComponent(keyName),
    }
  } catch {
    throw new SasError(401, 'InvalidSignature: the token is not URL-encoded correctly.')
  }
}

export function signSas(encodedResource: string, expiresAtSeconds: number, key: string): string {
  return createHmac('sha256', Buffer.from(key, 'utf8')).update(`${encodedResource}\n${expiresAtSeconds}`).digest('base64')
}

/** A token for `audience` signed with `key` (tests, the admin API's client side). */
export function createSasToken(audience: string, keyName: string, key: string, expiresAtSeconds: number): string {
  const encodedResource = encodeURIComponent(audience)
  const signature = signSas(encodedResource, expiresAtSeconds, key)
  return `${PREFIX}sr=${encodedResource}&sig=${encodeURIComponent(signature)}&se=${expiresAtSeconds}&skn=${encodeURIComponent(keyName)}`
}

function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected)
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** The path of an audience URL (`sb://host:port/q1/$DeadLetterQueue` -> `q1/$deadletterqueue`). */
export function audiencePath(audience: string): string {
  const withoutScheme = audience.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
  const slash = withoutScheme.indexOf('/')
  const path = slash === -1 ? '' : withoutScheme.slice(slash + 1)
  return path
    .split('?')[0]
    .replace(/^\/+|\/+$/g, '')
    .toLowerCase()
}

export interface VerifiedToken {
  audiencePath: string
  rights: Set<AccessRight>
  expiresAtMs: number
  /** Signed with an entity's own rule: the entity (lower case); the token covers it and its sub-queues only. */
  entity?: string
}

/** A rule that may have signed a token; `entity` when it is an entity's own rule, not the namespace's. */
export type ScopedRule = AuthorizationRule & {entity?: string}

/**
 * Checks a token: a known key name, a valid signature with one of its keys, not expired.
 * `rulesFor(keyName, audiencePath)` returns the policies that may have signed it.
 */
export function verifySasToken(token: string, rulesFor: (keyName: string, path: string) => ScopedRule[], nowMs: number): VerifiedToken {
  const parts = parseSasToken(token)
  const path = audiencePath(parts.audience)
  const rules = rulesFor(parts.keyName, path)
  if (rules.length === 0) throw new SasError(401, `InvalidSignature: the key name '${parts.keyName}' is not known.`)
  const rule = rules.find(candidate =>
    [candidate.primaryKey, candidate.secondaryKey].some(
      key => key !== undefined && sameSignature(signSas(parts.encodedResource, parts.expiresAtSeconds, key), parts.signature),
    ),
  )
  if (!rule) throw new SasError(401, 'InvalidSignature: the token has an invalid signature.')
  if (parts.expiresAtSeconds * 1000 <= nowMs) throw new SasError(401, 'ExpiredToken: the token has expired.')
  const verified: VerifiedToken = {audiencePath: path, rights: new Set(rule.rights), expiresAtMs: parts.expiresAtSeconds * 1000}
  if (rule.entity !== undefined) verified.entity = rule.entity.toLowerCase()
  return verified
}
