// What the emulator knows about one AMQP connection: its $cbs tokens, the reply links of its
// request-response pairs ($cbs, $management) by link name, and its open entity links.
import type {Connection, Sender} from 'rhea'

import {ConnectionTokens} from '../auth/connection-tokens.js'

export interface LinkHandle {
  /** The link or its connection went away. */
  detached(): void
  /** A token expired: the link closes itself unless a token still allows it. */
  reauthorize?(tokens: ConnectionTokens, nowMs: number): void
}

export class ConnectionState {
  readonly tokens = new ConnectionTokens()
  readonly replyLinks = new Map<string, Sender>()
  readonly links = new Set<LinkHandle>()
  private expiryTimer?: NodeJS.Timeout

  /**
   * Called after each put-token: when the earliest token expires, every open link is re-checked
   * (a receiver whose token expired and was not replaced is detached, as senders are refused).
   */
  watchExpiry(now: () => number): void {
    clearTimeout(this.expiryTimer)
    const next = this.tokens.nextExpiry(now())
    if (next === undefined) return
    this.expiryTimer = setTimeout(
      () => {
        this.expiryTimer = undefined
        const at = now()
        for (const link of [...this.links]) link.reauthorize?.(this.tokens, at)
        this.watchExpiry(now)
      },
      Math.min(Math.max(0, next - now()) + 1, 2 ** 31 - 1),
    )
    this.expiryTimer.unref()
  }

  detachAll(): void {
    clearTimeout(this.expiryTimer)
    this.expiryTimer = undefined
    for (const link of this.links) link.detached()
    this.links.clear()
    this.replyLinks.clear()
  }
}

const states = new WeakMap<Connection, ConnectionState>()

export function connectionState(connection: Connection): ConnectionState {
  let state = states.get(connection)
  if (!state) {
    state = new ConnectionState()
    states.set(connection, state)
  }
  return state
}
