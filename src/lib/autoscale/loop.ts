// The autoscale loop: read the counts and the formation, decide, scale, wait --interval, again.
// The clock and the sleep are injected (tests and the bench run a day in seconds). A failed read
// or scale is reported and tried again next interval; a rate limit backs off; a tier limit caps
// the quantity at what the platform accepts, reported once, instead of asking again and again.
import {decide, nextHistory, type AutoscaleConfig, type Decision, type LoadCounts, type ScaleHistory} from './decide.js'
import {classifyFailure, type FailureKind} from './failures.js'
import type {CountsSource, FormationTarget} from './sources.js'

export interface DecisionEvent {
  event: 'decision'
  time: string
  queue: string
  type: string
  counts: LoadCounts
  current: number
  target: number
  desired: number
  rule: Decision['rule']
  direction: Decision['direction']
  waitMs?: number
  /** scaled: the formation was changed; dry-run: it would have been; hold: nothing to do; failed: the scale call failed. */
  action: 'scaled' | 'dry-run' | 'hold' | 'failed'
}

export interface FailureEvent {
  event: 'error'
  time: string
  stage: 'read' | 'scale'
  kind: FailureKind
  message: string
  hint?: string
  /** When the next try is made. */
  retryInMs: number
}

export type AutoscaleEvent = DecisionEvent | FailureEvent

export interface AutoscalerOptions {
  queue: string
  type: string
  config: AutoscaleConfig
  intervalMs: number
  counts: CountsSource
  formation: FormationTarget
  emit: (event: AutoscaleEvent) => void
  dryRun?: boolean
  /** Stop after this many decisions (1 for --once); default: until the signal aborts. */
  maxTicks?: number
  signal?: AbortSignal
  clock?: () => number
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  /** The first read's error is thrown, not retried: a wrong queue, app or token fails at once. */
  throwOnFirstRead?: boolean
  /** Longest wait after repeated rate limits (default 10 minutes). */
  maxBackoffMs?: number
}

export interface AutoscaleSummary {
  ticks: number
  scaled: number
  failures: number
  /** The error of the last tick, when it failed (--once turns it into the exit code). */
  lastError?: unknown
  lastFailure?: FailureEvent
  history: ScaleHistory
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    if (signal?.aborted) return resolve()
    const done = () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, {once: true})
  })
}

export async function runAutoscaler(options: AutoscalerOptions): Promise<AutoscaleSummary> {
  const clock = options.clock ?? Date.now
  const sleep = options.sleep ?? abortableSleep
  const maxBackoffMs = options.maxBackoffMs ?? 600_000
  const summary: AutoscaleSummary = {ticks: 0, scaled: 0, failures: 0, history: {}}
  let rateLimited = 0
  const time = () => new Date(clock()).toISOString()

  const fail = (stage: 'read' | 'scale', error: unknown, current?: number): FailureEvent => {
    const failure = classifyFailure(error, stage)
    rateLimited = failure.kind === 'rate-limit' ? rateLimited + 1 : 0
    const retryInMs = failure.kind === 'rate-limit' ? Math.min(maxBackoffMs, options.intervalMs * 2 ** rateLimited) : options.intervalMs
    const event: FailureEvent = {
      event: 'error',
      time: time(),
      stage,
      kind: failure.kind,
      message: failure.message,
      hint: failure.hint,
      retryInMs,
    }
    summary.failures++
    summary.lastError = error
    summary.lastFailure = event
    // No limit in the message: do not ask for more than is running now.
    if (failure.kind === 'tier-limit') summary.history = {...summary.history, ceiling: failure.limit ?? current}
    options.emit(event)
    return event
  }

  const tick = async (): Promise<number> => {
    summary.lastError = undefined
    summary.lastFailure = undefined
    let counts: LoadCounts
    let current: number
    try {
      const [read, state] = await Promise.all([options.counts.read(), options.formation.read()])
      counts = read
      current = state.quantity
      // A formation change made before this run (by hand, or by an earlier --once from cron) starts
      // the down-cooldown; its direction is unknown, so it does not hold a scale-up.
      if (summary.ticks === 0 && state.updatedAt !== undefined) summary.history = {...summary.history, lastChangeAt: state.updatedAt}
    } catch (error) {
      if (summary.ticks === 0 && options.throwOnFirstRead) throw error
      return fail('read', error).retryInMs
    }
    const now = clock()
    const decision = decide({counts, current, config: options.config, history: summary.history, now})
    let action: DecisionEvent['action'] = decision.direction === 'hold' ? 'hold' : options.dryRun ? 'dry-run' : 'scaled'
    let failure: FailureEvent | undefined
    if (action === 'scaled') {
      try {
        await options.formation.scale(decision.desired)
        summary.scaled++
      } catch (error) {
        action = 'failed'
        failure = fail('scale', error, current)
      }
    }
    if (action !== 'failed') rateLimited = 0
    summary.history = nextHistory(summary.history, decision, now, action === 'scaled')
    options.emit({
      event: 'decision',
      time: new Date(now).toISOString(),
      queue: options.queue,
      type: options.type,
      counts,
      current,
      target: decision.target,
      desired: decision.desired,
      rule: decision.rule,
      direction: decision.direction,
      waitMs: decision.waitMs,
      action,
    })
    return failure?.retryInMs ?? options.intervalMs
  }

  while (!options.signal?.aborted) {
    const waitMs = await tick()
    summary.ticks++
    if (options.maxTicks !== undefined && summary.ticks >= options.maxTicks) break
    if (options.signal?.aborted) break
    await sleep(waitMs, options.signal)
  }
  return summary
}
