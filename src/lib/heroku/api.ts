// The Platform API client: heroku-client underneath (it sends the version-3 Accept header, follows
// Range/Next-Range and retries dropped connections); on top, retries with backoff and jitter for
// 429/503 (and a dyno create's 409), pacing by RateLimit-Remaining, a bound on total time, and
// errors mapped to exit codes. heroku-client is loaded only when a request is made.
import type {IncomingMessage} from 'node:http'

import {OperationError} from '../../common/errors.js'
import {toQjobError} from './api-errors.js'
import {backoffDelay, DEFAULT_RETRY_POLICY, isRetryableStatus, rateLimitPause, type RetryPolicy} from './retry.js'

export const DEFAULT_API_URL = 'https://api.heroku.com'
/** One request may take this long before it counts as failed (heroku-client aborts it). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000

export interface HerokuApiOptions {
  token: string
  /** HEROKU_API_URL; default https://api.heroku.com */
  baseUrl?: string
  retry?: Partial<RetryPolicy>
  /** Per-request timeout (ms). */
  timeoutMs?: number
  /** Replaced in tests of the pacing; default setTimeout. */
  sleep?: (ms: number) => Promise<void>
}

export interface RequestOptions {
  body?: unknown
  /** A 409 is transient here (creating a dyno right after a release). */
  conflictIsTransient?: boolean
  /** Extra headers (e.g. a Range). */
  headers?: Record<string, string>
}

type HerokuClient = import('heroku-client')

const defaultSleep = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms))

export class HerokuApi {
  readonly baseUrl: string
  private readonly policy: RetryPolicy
  private readonly sleep: (ms: number) => Promise<void>
  private client?: HerokuClient
  private remaining?: number
  /** Retries made so far (for reporting and tests). */
  retries = 0

  constructor(private readonly options: HerokuApiOptions) {
    this.baseUrl = (options.baseUrl ?? DEFAULT_API_URL).replace(/\/+$/, '')
    this.policy = {...DEFAULT_RETRY_POLICY, ...options.retry}
    this.sleep = options.sleep ?? defaultSleep
  }

  get<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('GET', path, options)
  }

  post<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('POST', path, options)
  }

  patch<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('PATCH', path, options)
  }

  delete<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('DELETE', path, options)
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const client = await this.heroku()
    const started = Date.now()
    let retriesHere = 0
    for (let attempt = 0; ; attempt++) {
      const pause = rateLimitPause(this.remaining)
      if (pause > 0) await this.sleep(pause)
      try {
        return await client.request<T>({
          method,
          path,
          body: options.body,
          headers: options.headers,
          timeout: this.options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
        })
      } catch (error) {
        const status = (error as {statusCode?: number}).statusCode
        const retryable = isRetryableStatus(status, {conflictIsTransient: options.conflictIsTransient})
        const delay = backoffDelay(attempt, this.policy)
        if (!retryable || attempt + 1 >= this.policy.maxAttempts || Date.now() - started + delay > this.policy.maxTotalMs) {
          throw toQjobError(error, {baseUrl: this.baseUrl, retries: retriesHere})
        }
        retriesHere++
        this.retries++
        await this.sleep(delay)
      }
    }
  }

  private async heroku(): Promise<HerokuClient> {
    if (this.client) return this.client
    await this.checkLocalApi()
    const {default: Heroku} = await import('heroku-client')
    this.client = new Heroku({
      token: this.options.token,
      host: this.baseUrl,
      userAgent: 'qjob',
      middleware: (response: IncomingMessage, next: () => void) => {
        const header = response.headers['ratelimit-remaining']
        const remaining = Number(Array.isArray(header) ? header[0] : header)
        if (header !== undefined && Number.isFinite(remaining)) this.remaining = remaining
        next()
      },
    })
    return this.client
  }

  /**
   * heroku-client retries a refused connection for about 15 s, which helps on a flaky network but
   * not when a local API (the emulator) is simply not running: there, one quick connect decides.
   */
  private async checkLocalApi(): Promise<void> {
    const url = new URL(this.baseUrl)
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
    if (!['127.0.0.1', 'localhost', '::1'].includes(host)) return
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80))
    const {connect} = await import('node:net')
    await new Promise<void>((resolve, reject) => {
      const socket = connect({host, port})
      socket.once('connect', () => {
        socket.destroy()
        resolve()
      })
      socket.once('error', error => {
        reject(
          new OperationError(`nothing answers at ${this.baseUrl} (${(error as NodeJS.ErrnoException).code ?? error.message})`, {
            hint: 'Start the local emulator with "qjob emulator start", or unset HEROKU_API_URL to use api.heroku.com.',
          }),
        )
      })
    })
  }
}
