// Platform API failures → qjob errors with the exit codes of docs/ARCHITECTURE.md: not_found → 3,
// unauthorized/forbidden → 4, invalid_params → 2, anything else → 1.
import {AuthError, NotFoundError, OperationError, QjobError, UsageError} from '../../common/errors.js'

interface HerokuClientError {
  statusCode?: number
  code?: string
  message?: string
  body?: unknown
}

export interface ErrorBody {
  id?: string
  message?: string
}

function errorBody(body: unknown): ErrorBody {
  if (body && typeof body === 'object') {
    const {id, message} = body as Record<string, unknown>
    return {id: typeof id === 'string' ? id : undefined, message: typeof message === 'string' ? message : undefined}
  }
  return {}
}

function firstLine(text: string): string {
  return text.split('\n')[0].trim()
}

export function toQjobError(error: unknown, context: {baseUrl: string; retries?: number}): QjobError {
  if (error instanceof QjobError) return error
  const failure = (error ?? {}) as HerokuClientError
  if (failure.statusCode === undefined) {
    const reason = failure.code ?? failure.message ?? String(error)
    return new OperationError(`cannot reach the Heroku API at ${context.baseUrl}: ${reason}`, {
      hint: 'Check your network, or HEROKU_API_URL if you use the local emulator ("qjob emulator env").',
      cause: error,
    })
  }
  const status = failure.statusCode
  const {id, message = `HTTP ${status}`} = errorBody(failure.body)
  const text = firstLine(message)
  if (id === 'unauthorized' || status === 401) {
    return new AuthError(`Heroku API: ${text}`, {hint: 'Set HEROKU_API_KEY to a valid token, or run "heroku login".', cause: error})
  }
  if (id === 'forbidden' || status === 403) {
    return new AuthError(`Heroku API: ${text}`, {hint: 'The token has no access to this app; check --app and the account.', cause: error})
  }
  if (id === 'not_found' || status === 404) return new NotFoundError(`Heroku API: ${text}`, {cause: error})
  if (id === 'invalid_params' || status === 422) return new UsageError(`Heroku API: ${text}`, {cause: error})
  const after = context.retries ? ` (gave up after ${context.retries} retries)` : ''
  const hint = status === 429 ? 'The account is out of API rate limit; wait a few minutes.' : undefined
  return new OperationError(`Heroku API: ${text}${id ? ` [${id}]` : ''}${after}`, {hint, cause: error})
}
