// Service Bus SDK errors -> qjob errors with the exit codes of docs/ARCHITECTURE.md and a hint that says what
// to do. The SDK's messages may quote the endpoint; redaction happens when they are printed.
import {AuthError, NotFoundError, OperationError, QjobError, UsageError} from '../../common/errors.js'
import {splitEntityPath} from './entity.js'

interface ErrorContext {
  /** The entity path (entity.ts): a queue, a topic when `topic` is set, or `T/Subscriptions/S`. */
  queue?: string
  topic?: boolean
  endpoint?: string
}

/** How an error names the entity, and where to look for it. */
function entityOf(context: ErrorContext): {label: string; notFoundHint: string} {
  if (!context.queue) return {label: 'the entity', notFoundHint: 'List queues with "qjob queue list", or topics with "qjob topic list".'}
  const {name, subscription} = splitEntityPath(context.queue)
  if (subscription !== undefined) {
    return {
      label: `subscription "${subscription}" of topic "${name}"`,
      notFoundHint: `Check the topic and its subscriptions with "qjob topic show ${name}".`,
    }
  }
  if (context.topic)
    return {label: `topic "${name}"`, notFoundHint: 'List topics with "qjob topic list", or create it with "qjob topic create".'}
  return {label: `queue "${name}"`, notFoundHint: 'List queues with "qjob queue list", or create it with "qjob queue create".'}
}

interface SdkError {
  name?: string
  code?: string
  message?: string
  errors?: unknown[]
}

/** AggregateError (several retries) -> its most informative member. */
function unwrap(error: unknown): SdkError {
  const candidate = error as SdkError
  if (Array.isArray(candidate?.errors) && candidate.errors.length > 0) return unwrap(candidate.errors.at(-1))
  return candidate ?? {}
}

function firstLine(text: string | undefined): string {
  return (text ?? 'unknown error').split('\n')[0].trim()
}

export function toQjobError(error: unknown, context: ErrorContext = {}): QjobError {
  if (error instanceof QjobError) return error
  const sdk = unwrap(error)
  const message = firstLine(sdk.message)
  const entity = entityOf(context)
  const queue = entity.label
  switch (sdk.code) {
    case 'MessagingEntityNotFound':
      return new NotFoundError(`${queue} was not found`, {hint: entity.notFoundHint, cause: error})
    case 'UnauthorizedAccess':
      return new AuthError(`not authorised: ${message}`, {
        hint: 'Check the key, and that its policy has the right (Send to send, Listen to receive or peek).',
        cause: error,
      })
    case 'MessageSizeExceeded':
      return new UsageError(`message too large: ${message}`, {
        hint: "Send a smaller body, or raise the queue's max message size.",
        cause: error,
      })
    case 'QuotaExceeded':
      return new OperationError(`${queue} is full: ${message}`, {
        hint: "Receive or purge messages, or raise the queue's max size.",
        cause: error,
      })
    case 'MessagingEntityDisabled':
      return new OperationError(`${queue} is disabled`, {cause: error})
    case 'MessageNotFound':
      return new NotFoundError(message, {cause: error})
    case 'MessageLockLost':
    case 'SessionLockLost':
      return new OperationError(`lock lost: ${message}`, {
        hint: 'The lock expired before the message was settled; it will be delivered again.',
        cause: error,
      })
    case 'SessionCannotBeLocked':
      return new OperationError(`session cannot be locked: ${message}`, {
        hint: 'Another receiver holds the session, or it has no messages.',
        cause: error,
      })
    case 'ServiceTimeout':
    case 'ServiceCommunicationProblem':
      return new OperationError(`cannot reach Service Bus: ${message}`, {hint: reachHint(context), cause: error})
    default:
      break
  }
  if (/requires sessions to create a non-sessionful/i.test(message)) {
    return new UsageError(`${queue} requires sessions: say which session to receive from`, {
      hint: 'Pass --session-id ID or --next-session (qjob work: --session).',
      cause: error,
    })
  }
  if (/does not match the EntityPath in the connection string/i.test(message)) {
    return new AuthError(`this connection string is for another queue (its EntityPath), not ${queue}`, {
      hint: "A queue-level key works only on its own queue: use that queue's connection string, or a namespace-level one.",
      cause: error,
    })
  }
  if (/SessionId was not set/i.test(message)) {
    return new UsageError(`${queue} requires sessions: every message needs a session id`, {
      hint: 'Pass --session-id (or a "sessionId" field in --ndjson input).',
      cause: error,
    })
  }
  const sysCode = (error as NodeJS.ErrnoException)?.code ?? sdk.code
  if (sysCode === 'ECONNREFUSED' || sysCode === 'ENOTFOUND' || sysCode === 'ETIMEDOUT' || /ECONNREFUSED|ENOTFOUND/.test(message)) {
    return new OperationError(`cannot reach Service Bus: ${message}`, {hint: reachHint(context), cause: error})
  }
  if (sdk.name === 'TypeError' && /connection ?string|Endpoint|SharedAccess/i.test(message)) {
    return new UsageError(`invalid connection string: ${message}`, {cause: error})
  }
  return new OperationError(message, {cause: error})
}

function reachHint(context: ErrorContext): string {
  if (context.endpoint && /127\.0\.0\.1|localhost/.test(context.endpoint))
    return 'Is the local emulator running? Check with "qjob emulator status".'
  return 'Check the namespace host name and your network; --timeout sets how long to wait.'
}
