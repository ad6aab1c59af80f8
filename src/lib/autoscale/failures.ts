// What went wrong in a read or a scale, in the terms the autoscaler acts on: a rate limit (back
// off), a tier limit (stop asking for more dynos than the platform allows), or anything else
// (log it, try again next interval).
import {QjobError, UsageError} from '../../common/errors.js'

export type FailureKind = 'rate-limit' | 'tier-limit' | 'failed'

export interface Failure {
  kind: FailureKind
  message: string
  hint?: string
  /** For a tier limit: the most dynos the platform accepts, when the message says. */
  limit?: number
}

interface ApiCause {
  statusCode?: number
  body?: {id?: unknown}
}

function apiCause(error: unknown): ApiCause {
  const cause = (error as {cause?: unknown} | undefined)?.cause
  return cause && typeof cause === 'object' ? (cause as ApiCause) : {}
}

export function classifyFailure(error: unknown, stage: 'read' | 'scale'): Failure {
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error)
  const hint = error instanceof QjobError ? error.hint : undefined
  const cause = apiCause(error)
  if (cause.statusCode === 429 || cause.body?.id === 'rate_limit') {
    return {
      kind: 'rate-limit',
      message: `Heroku API rate limit reached: ${message}`,
      hint: 'The account has spent its request budget (4,500, refilled ~75/min); autoscale backs off. Fewer API clients or a longer --interval help.',
    }
  }
  if (stage === 'scale' && (cause.statusCode === 422 || error instanceof UsageError)) {
    const limit = /more than (\d+)/i.exec(message)
    return {
      kind: 'tier-limit',
      message: `the platform refused the quantity: ${message}`,
      hint: 'Lower --max to what the dyno size allows, or move the process type to a larger size ("qjob scale worker=N:standard-1x").',
      limit: limit ? Number(limit[1]) : undefined,
    }
  }
  return {kind: 'failed', message, hint}
}
