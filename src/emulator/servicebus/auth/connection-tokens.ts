// The tokens one AMQP connection has put through $cbs, and whether they allow a link.
import type {AccessRight} from '../broker/queue-properties.js'
import type {VerifiedToken} from './sas-token.js'

export type AuthDecision = {allowed: true} | {allowed: false; reason: string}

/** The entity a path names: `q`, `q/$DeadLetterQueue`, `q/$management`... are all `q`. */
export function entityOfPath(path: string): string {
  const segments = path.split('/')
  while (segments.length > 1 && segments.at(-1)!.startsWith('$')) segments.pop()
  return segments.join('/')
}

/**
 * The audience is matched exactly, by entity (its sub-queues and $management included), never as
 * a path prefix: a token for `a` grants nothing on `a/b`. Only a token for the namespace itself
 * (audience `/`, signed with a namespace rule) covers every entity. A token signed with an
 * entity's own rule covers that entity only (a topic's: with its subscriptions), whatever its
 * audience says.
 */
function covers(token: VerifiedToken, entityPath: string): boolean {
  const entity = entityOfPath(entityPath)
  // A topic's own rule covers the topic and its subscriptions.
  if (token.entity !== undefined && token.entity !== entity && !entity.startsWith(`${token.entity}/subscriptions/`)) return false
  return token.audiencePath === '' || entityOfPath(token.audiencePath) === entity
}

function grants(rights: Set<AccessRight>, needed: AccessRight): boolean {
  return rights.has(needed) || rights.has('Manage')
}

export class ConnectionTokens {
  private readonly tokens = new Map<string, VerifiedToken>()

  get size(): number {
    return this.tokens.size
  }

  put(token: VerifiedToken): void {
    this.tokens.set(`${token.entity ?? ''}|${token.audiencePath}`, token)
  }

  /** The earliest expiry still ahead (receive links are re-checked then). */
  nextExpiry(nowMs: number): number | undefined {
    let next: number | undefined
    for (const token of this.tokens.values())
      if (token.expiresAtMs > nowMs && (next === undefined || token.expiresAtMs < next)) next = token.expiresAtMs
    return next
  }

  /** Allowed if an unexpired token covers the path and grants one of the rights. */
  authorize(entityPath: string, needed: AccessRight[], nowMs: number): AuthDecision {
    const path = entityPath.replace(/^\/+|\/+$/g, '').toLowerCase()
    let expired = false
    let covered = false
    for (const token of this.tokens.values()) {
      if (!covers(token, path)) continue
      if (token.expiresAtMs <= nowMs) {
        expired = true
        continue
      }
      covered = true
      if (needed.some(right => grants(token.rights, right))) return {allowed: true}
    }
    if (covered)
      return {
        allowed: false,
        reason: `Unauthorized access. '${needed.join("' or '")}' claim(s) are required to perform this operation. Resource: '${path}'.`,
      }
    if (expired) return {allowed: false, reason: `Unauthorized access. The token for '${path}' has expired.`}
    return {allowed: false, reason: `Unauthorized access. No token was put for '${path}' through $cbs.`}
  }
}
