// The account's request budget: a token bucket (4,500 tokens, ~75 a minute back), reported in
// RateLimit-Remaining on every response; an empty bucket answers 429.
import {RATE_LIMIT_CAPACITY, RATE_LIMIT_REFILL_PER_MINUTE} from '../constants.js'

export interface RateLimitOptions {
  capacity?: number
  refillPerMinute?: number
}

export class RateLimiter {
  private tokens: number
  private updated = Date.now()
  readonly capacity: number
  private readonly refillPerMs: number

  constructor(options: RateLimitOptions = {}) {
    this.capacity = options.capacity ?? RATE_LIMIT_CAPACITY
    this.refillPerMs = (options.refillPerMinute ?? RATE_LIMIT_REFILL_PER_MINUTE) / 60_000
    this.tokens = this.capacity
  }

  /** Takes one token; false when the budget is spent. */
  take(): boolean {
    this.refill()
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }

  remaining(): number {
    this.refill()
    return Math.floor(this.tokens)
  }

  /** Sets the budget (for tests of clients that must slow down). */
  set(tokens: number): void {
    this.tokens = Math.max(0, Math.min(tokens, this.capacity))
    this.updated = Date.now()
  }

  private refill(): void {
    const now = Date.now()
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.updated) * this.refillPerMs)
    this.updated = now
  }
}
