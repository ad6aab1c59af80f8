// Limits and defaults of the local Platform API, named once (values follow the real API).
export const DEFAULT_HOST = '127.0.0.1'
/** SIGTERM, then SIGKILL after this long (Heroku: 30 s). */
export const DEFAULT_GRACE_PERIOD_MS = 30_000
/** close() never waits longer than this for processes to stop after SIGTERM. */
export const MAX_CLOSE_GRACE_MS = 10_000
export const DEFAULT_PAGE_SIZE = 200
export const MAX_PAGE_SIZE = 1000
/** The account budget: 4,500 tokens, refilled at about 75 a minute. */
export const RATE_LIMIT_CAPACITY = 4500
export const RATE_LIMIT_REFILL_PER_MINUTE = 75
export const MAX_TIME_TO_LIVE_S = 86_400
export const DEFAULT_TIME_TO_LIVE_S = 3600
export const DEFAULT_DYNO_SIZE = 'Standard-1X'
/** An attached one-off dyno that nobody attaches to within this time is abandoned. */
export const ATTACH_TIMEOUT_MS = 60_000
/** Log lines kept for log sessions (logplex keeps the last 1,500). */
export const LOG_BUFFER_LINES = 1500
export const DEFAULT_LOG_LINES = 100
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024
export const ACCOUNT_EMAIL = 'developer@example.com'
/** Crash restarts: the first at once, then a cool-off from this, doubling, at most 20 minutes. */
export const CRASH_COOL_OFF_MS = 10_000
export const CRASH_COOL_OFF_MAX_MS = 20 * 60_000
/** A dyno that ran this long before crashing starts its count afresh. */
export const CRASH_RESET_AFTER_MS = 10 * 60_000
/** Dynos' memory is checked for R14 this often (Heroku's runtime metrics come every 20 s). */
export const MEMORY_CHECK_MS = 20_000
