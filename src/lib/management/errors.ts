// Management API errors (ATOM RestError, ARM CloudError) -> qjob errors with docs/ARCHITECTURE.md's exit codes.
import {AuthError, NotFoundError, OperationError, QjobError, UsageError} from '../../common/errors.js'
import {toQjobError} from '../servicebus/errors.js'

interface RestLikeError {
  name?: string
  code?: string
  statusCode?: number
  message?: string
}

export function toManagementError(error: unknown, context: {what: string; queue?: string; endpoint?: string}): QjobError {
  if (error instanceof QjobError) return error
  const rest = error as RestLikeError
  const message = (rest?.message ?? String(error)).split('\n')[0]
  const queue = context.queue ? `queue "${context.queue}"` : 'the queue'
  const status = rest?.statusCode
  if (rest?.code === 'MessageEntityNotFoundError' || rest?.code === 'ResourceNotFound' || status === 404) {
    return new NotFoundError(`${queue} was not found`, {hint: 'List queues with "qjob queue list".', cause: error})
  }
  if (rest?.code === 'MessageEntityAlreadyExistsError' || status === 409) {
    return new OperationError(`${queue} already exists`, {hint: 'Use --if-not-exists to accept an existing queue, or "qjob queue update".', cause: error})
  }
  if (rest?.code === 'UnauthorizedRequestError' || status === 401 || status === 403) {
    return new AuthError(`not authorised to ${context.what}: ${message}`, {hint: 'Managing queues needs a policy with Manage rights.', cause: error})
  }
  if (status === 400) return new UsageError(`cannot ${context.what}: ${message}`, {cause: error})
  const mapped = toQjobError(error, {queue: context.queue, endpoint: context.endpoint})
  return mapped.message === message ? new OperationError(`cannot ${context.what}: ${message}`, {cause: error}) : mapped
}
