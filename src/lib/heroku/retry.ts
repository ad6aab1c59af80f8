// When and how long to wait before trying a Platform API request again. Pure functions.

export interface RetryPolicy {
  /** Tries in all, the first included. */
  maxAttempts: number
  baseDelayMs: number
  maxDelayMs: number
  /** No retry starts later than this after the first try. */
  maxTotalMs: number
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 8000, maxTotalMs: 60_000}

/** Below this RateLimit-Remaining, requests are spaced out instead of spending the last tokens. */
export const RATE_LIMIT_LOW_WATER = 25
/** The API gives back about one token every 0.8 s (75 a minute). */
export const RATE_LIMIT_TOKEN_MS = 800

/**
 * 429 (rate limit), 503 (unavailable) and, for a dyno create, the 409 the API answers while a
 * release is being made are worth another try; nothing else is.
 */
export function isRetryableStatus(status: number | undefined, options: {conflictIsTransient?: boolean} = {}): boolean {
  if (status === 429 || status === 503) return true
  return status === 409 && options.conflictIsTransient === true
}

/** Exponential backoff with equal jitter: between half and all of base·2^attempt (capped). */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt)
  // Half fixed, half random: never zero (unlike full jitter), still spread out between clients.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}

/** How long to wait before the next request, given the last RateLimit-Remaining seen. */
export function rateLimitPause(remaining: number | undefined): number {
  if (remaining === undefined || remaining >= RATE_LIMIT_LOW_WATER) return 0
  if (remaining <= 0) return 2 * RATE_LIMIT_TOKEN_MS
  return RATE_LIMIT_TOKEN_MS
}
