// Each broker error as the AMQP error condition the SDK maps to the matching error code
// (docs/PROTOCOL.md §8). Conditions the SDK retries are used only where Azure uses them.
import type {AmqpError} from 'rhea'

import {BrokerError, type BrokerErrorCode} from '../broker/broker-error.js'
import {MalformedMessageError} from './message-sections.js'

export const CONDITIONS: Record<BrokerErrorCode, string> = {
  EntityNotFound: 'amqp:not-found',
  EntityAlreadyExists: 'com.microsoft:entity-already-exists',
  EntityDisabled: 'com.microsoft:entity-disabled',
  MessageLockLost: 'com.microsoft:message-lock-lost',
  SessionLockLost: 'com.microsoft:session-lock-lost',
  SessionCannotBeLocked: 'com.microsoft:session-cannot-be-locked',
  Timeout: 'com.microsoft:timeout',
  MessageNotFound: 'com.microsoft:message-not-found',
  MessageSizeExceeded: 'amqp:link:message-size-exceeded',
  QuotaExceeded: 'amqp:resource-limit-exceeded',
  Unauthorized: 'amqp:unauthorized-access',
  BadRequest: 'amqp:not-allowed',
  NotImplemented: 'amqp:not-implemented',
  Internal: 'amqp:internal-error',
}

/** The AMQP error for anything thrown while handling a client's request. */
export function amqpErrorOf(error: unknown): AmqpError {
  if (error instanceof BrokerError) return {condition: CONDITIONS[error.code], description: error.message}
  if (error instanceof MalformedMessageError) return {condition: 'amqp:decode-error', description: error.message}
  return {condition: 'amqp:internal-error', description: 'The emulator failed to handle the request; see its log.'}
}

export function unauthorized(description: string): AmqpError {
  return {condition: CONDITIONS.Unauthorized, description}
}
