// The tokens one AMQP connection has put through $cbs, and whether they allow a link.
import type {AccessRight} from '../broker/queue-properties.js'
import type {VerifiedToken} from './sas-token.js'

export type AuthDecision = {allowed: true} | {allowed: false; reason: string}

function covers(audiencePath: string, entityPath: string): boolean {
  return audiencePath === '' || entityPath === audiencePath || entityPath.startsWith(`${audiencePath}/`)
}

function grants(rights: Set<AccessRight>, needed: AccessRight): boolean {
  return rights.has(needed) || rights.has('Manage')
}

export class ConnectionTokens {
  private readonly tokens = new Map<string, VerifiedToken>()

  put(token: VerifiedToken): void {
    this.tokens.set(token.audiencePath, token)
  }

  /** Allowed if an unexpired token covers the path and grants one of the rights. */
  authorize(entityPath: string, needed: AccessRight[], nowMs: number): AuthDecision {
    const path = entityPath.replace(/^\/+|\/+$/g, '').toLowerCase()
    let expired = false
    let covered = false
    for (const token of this.tokens.values()) {
      if (!covers(token.audiencePath, path)) continue
      if (token.expiresAtMs <= nowMs) {
        expired = true
        continue
      }
      covered = true
      if (needed.some(right => grants(token.rights, right))) return {allowed: true}
    }
    if (covered) return {allowed: false, reason: `Unauthorized access. '${needed.join("' or '")}' claim(s) are required to perform this operation. Resource: '${path}'.`}
    if (expired) return {allowed: false, reason: `Unauthorized access. The token for '${path}' has expired.`}
    return {allowed: false, reason: `Unauthorized access. No token was put for '${path}' through $cbs.`}
  }
}
