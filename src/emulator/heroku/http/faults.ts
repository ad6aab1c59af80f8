// Fault injection for tests: the next N requests that match answer with an error status
// (429 rate_limit, 503 unavailable, 409 conflict, …) before any handler runs.
import {ApiError, apiErrors} from '../api-error.js'

export interface FaultSpec {
  /** 429, 503, 409, or any other status (id `error`). */
  status: number
  /** How many matching requests fail (default 1). */
  count?: number
  method?: string
  /** A substring or pattern the request path must match. */
  path?: string | RegExp
}

interface ActiveFault extends FaultSpec {
  remaining: number
}

export class FaultInjector {
  private readonly faults: ActiveFault[] = []
  /** How many requests were failed on purpose. */
  injected = 0

  inject(spec: FaultSpec): void {
    this.faults.push({...spec, remaining: spec.count ?? 1})
  }

  clear(): void {
    this.faults.length = 0
  }

  /** The error the request must get, if a fault matches it. */
  take(method: string, path: string): ApiError | undefined {
    const fault = this.faults.find(candidate => candidate.remaining > 0 && matches(candidate, method, path))
    if (!fault) return undefined
    fault.remaining--
    this.injected++
    if (fault.status === 429) return apiErrors.rateLimit()
    if (fault.status === 503) return apiErrors.unavailable()
    if (fault.status === 409) return apiErrors.conflict()
    return new ApiError(fault.status, 'error', `Injected failure (${fault.status}).`)
  }
}

function matches(fault: FaultSpec, method: string, path: string): boolean {
  if (fault.method && fault.method.toUpperCase() !== method) return false
  if (fault.path === undefined) return true
  return typeof fault.path === 'string' ? path.includes(fault.path) : fault.path.test(path)
}
