// What the emulator knows about one AMQP connection: its $cbs tokens, the reply links of its
// request-response pairs ($cbs, $management) by link name, and its open entity links.
import type {Connection, Sender} from 'rhea'

import {ConnectionTokens} from '../auth/connection-tokens.js'

export interface LinkHandle {
  /** The link or its connection went away. */
  detached(): void
}

export class ConnectionState {
  readonly tokens = new ConnectionTokens()
  readonly replyLinks = new Map<string, Sender>()
  readonly links = new Set<LinkHandle>()

  detachAll(): void {
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
