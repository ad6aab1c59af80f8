// Errors the broker raises, by what went wrong. The AMQP adapter maps each code to the condition
// the SDK expects (amqp/error-conditions.ts); the admin API of issue 5 maps them to HTTP statuses.

export type BrokerErrorCode =
  | 'EntityNotFound'
  | 'EntityAlreadyExists'
  | 'EntityDisabled'
  | 'MessageLockLost'
  | 'SessionLockLost'
  | 'SessionCannotBeLocked'
  | 'Timeout'
  | 'MessageNotFound'
  | 'MessageSizeExceeded'
  | 'QuotaExceeded'
  | 'Unauthorized'
  | 'BadRequest'
  | 'NotImplemented'
  | 'Internal'

export class BrokerError extends Error {
  constructor(
    readonly code: BrokerErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'BrokerError'
  }
}

/** The message the SDK matches to tell "entity not found" from other not-found conditions. */
export function entityNotFound(path: string): BrokerError {
  return new BrokerError('EntityNotFound', `The messaging entity '${path}' could not be found.`)
}
