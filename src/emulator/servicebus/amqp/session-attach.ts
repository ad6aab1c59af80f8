// What a session receiver's attach carries (docs/PROTOCOL.md §5): the source filter naming the
// session (null: the next available one), the `com.microsoft:timeout` to wait for one, and in
// our reply the session's locked-until as a long of .NET ticks.
import type {Sender} from 'rhea'

import {AMQP} from '../constants.js'
import {amqpTypes, type AmqpTyped} from './rhea-types.js'

export const SESSION_FILTER = 'com.microsoft:session-filter'
export const LOCKED_UNTIL_PROPERTY = 'com.microsoft:locked-until-utc'
const TIMEOUT_PROPERTY = 'com.microsoft:timeout'
/** The service waits at most this long for a free session (it caps the client's timeout). */
export const MAX_SESSION_WAIT_MS = 65_000
const DEFAULT_SESSION_WAIT_MS = 60_000

/** Whether the attach asks for a session, and which one (undefined: the next available). */
export function sessionFilterOf(sender: Sender): {present: boolean; sessionId?: string} {
  const filter = (sender.source as {filter?: Record<string, unknown> | null} | undefined)?.filter
  if (!filter || typeof filter !== 'object' || !Object.hasOwn(filter, SESSION_FILTER)) return {present: false}
  let value = filter[SESSION_FILTER]
  if (value && typeof value === 'object' && 'value' in value) value = (value as {value: unknown}).value
  return {present: true, sessionId: value === null || value === undefined ? undefined : String(value)}
}

export function sessionTimeoutOf(sender: Sender): number {
  const properties = (sender as unknown as {properties?: Record<string, unknown>}).properties
  const timeout = Number(properties?.[TIMEOUT_PROPERTY])
  return Number.isFinite(timeout) && timeout > 0 ? Math.min(timeout, MAX_SESSION_WAIT_MS) : DEFAULT_SESSION_WAIT_MS
}

/** A Unix time in ms as a long of .NET ticks (100 ns since 0001-01-01). */
export function dotnetTicks(ms: number): AmqpTyped {
  const bytes = Buffer.alloc(8)
  bytes.writeBigInt64BE(AMQP.dotnetEpochTicks + BigInt(Math.round(ms)) * 10_000n)
  return amqpTypes.wrap_long(bytes)
}
