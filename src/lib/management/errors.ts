// Management API errors (ATOM RestError, ARM CloudError) -> qjob errors with docs/ARCHITECTURE.md's exit codes.
import {AuthError, NotFoundError, OperationError, QjobError, UsageError} from '../../common/errors.js'
import {toQjobError} from '../servicebus/errors.js'

interface RestLikeError {
  name?: string
  code?: string
  statusCode?: number
  message?: string
}

export interface ManagementErrorContext {
  what: string
  queue?: string
  endpoint?: string
  /** The entity acted on, for other kinds than queues: e.g. `subscription "resize" of topic "jobs"`. */
  entity?: {label: string; listHint: string; existsHint: string}
}

export function toManagementError(error: unknown, context: ManagementErrorContext): QjobError {
  if (error instanceof QjobError) return error
  const rest = error as RestLikeError
  const message = (rest?.message ?? String(error)).split('\n')[0]
  const entity = context.entity ?? {
    label: context.queue ? `queue "${context.queue}"` : 'the queue',
    listHint: 'List queues with "qjob queue list".',
    existsHint: 'Use --if-not-exists to accept an existing queue, or "qjob queue update".',
  }
  const status = rest?.statusCode
  if (rest?.code === 'MessageEntityNotFoundError' || rest?.code === 'ResourceNotFound' || status === 404) {
    return new NotFoundError(`${entity.label} was not found`, {hint: entity.listHint, cause: error})
  }
  if (rest?.code === 'MessageEntityAlreadyExistsError' || status === 409) {
    return new OperationError(`${entity.label} already exists`, {hint: entity.existsHint, cause: error})
  }
  if (rest?.code === 'UnauthorizedRequestError' || status === 401 || status === 403) {
    return new AuthError(`not authorised to ${context.what}: ${message}`, {
      hint: 'Managing queues needs a policy with Manage rights.',
      cause: error,
    })
  }
  if (status === 400) return new UsageError(`cannot ${context.what}: ${message}`, {cause: error})
  const mapped = toQjobError(error, {queue: context.queue, endpoint: context.endpoint})
  return mapped.message === message ? new OperationError(`cannot ${context.what}: ${message}`, {cause: error}) : mapped
}
