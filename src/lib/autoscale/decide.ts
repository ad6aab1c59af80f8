// The autoscale decision: counts, the current quantity, the configuration, what happened before and
// the time in; the quantity wanted and the rule that set it out. Pure: no clock, no I/O.

/** The rule that gave the final quantity (the last one that changed it; `target` when none did). */
export type Rule = 'target' | 'activation' | 'min' | 'max' | 'tier-limit' | 'locked' | 'max-step' | 'up-cooldown' | 'down-cooldown'

export interface AutoscaleConfig {
  min: number
  max: number
  /** Active messages one worker is meant to have (KEDA's messageCount). */
  perWorker: number
  /** From zero, scale up only when more than this many messages are active. */
  activation: number
  upCooldownMs: number
  downCooldownMs: number
  /** Most dynos added or removed in one decision (undefined: no limit). */
  maxStep?: number
  /** Jobs one worker runs at a time (qjob work --concurrency), for the locked-messages floor. */
  jobsPerWorker: number
}

export interface LoadCounts {
  /** Messages ready or being worked on (Service Bus counts a locked message as active). */
  active: number
  scheduled?: number
  deadLetter?: number
  /** Messages locked by workers right now, when the source knows (the ATOM/ARM counts do not). */
  locked?: number
}

/** What earlier decisions left behind (times are the caller's clock, in ms). */
export interface ScaleHistory {
  /** The last scale-up. */
  lastUpAt?: number
  /** The last change of the quantity, either way (or the formation's updated_at at start). */
  lastChangeAt?: number
  /** The last decision at which the load needed at least the current quantity. */
  busyAt?: number
  /** The most dynos the platform accepted for this process type (learnt from a refused scale). */
  ceiling?: number
}

export interface DecisionInput {
  counts: LoadCounts
  current: number
  config: AutoscaleConfig
  history: ScaleHistory
  now: number
}

export interface Decision {
  current: number
  /** ceil(active / per-worker), before any rule. */
  target: number
  desired: number
  rule: Rule
  direction: 'up' | 'down' | 'hold'
  /** Under a cooldown: how long until it ends (ms). */
  waitMs?: number
  /** The load needed at least the current quantity (resets the down-cooldown). */
  busy: boolean
}

export function decide(input: DecisionInput): Decision {
  const {counts, current, config, history, now} = input
  const target = Math.ceil(Math.max(0, counts.active) / config.perWorker)
  let desired = target
  let rule: Rule = 'target'
  const set = (quantity: number, by: Rule) => {
    if (quantity === desired) return
    desired = quantity
    rule = by
  }

  if (current === 0 && counts.active <= config.activation) set(0, 'activation')
  if (desired < config.min) set(config.min, 'min')
  if (desired > config.max) set(config.max, 'max')
  if (history.ceiling !== undefined && desired > history.ceiling)
    set(Math.max(history.ceiling, Math.min(current, config.max)), 'tier-limit')
  if (counts.locked !== undefined) {
    // Never below the workers busy with a locked message (a scale-down would stop one mid-job).
    const floor = Math.min(current, Math.ceil(counts.locked / config.jobsPerWorker), config.max)
    if (desired < floor) set(floor, 'locked')
  }
  // The load needed the current formation (before steps and cooldowns): the down-cooldown restarts.
  const busy = desired >= current
  if (config.maxStep !== undefined && Math.abs(desired - current) > config.maxStep) {
    set(current + Math.sign(desired - current) * config.maxStep, 'max-step')
  }

  let waitMs: number | undefined
  if (desired > current && history.lastUpAt !== undefined) {
    const left = history.lastUpAt + config.upCooldownMs - now
    if (left > 0) {
      set(current, 'up-cooldown')
      waitMs = left
    }
  } else if (desired < current) {
    const since = Math.max(history.lastChangeAt ?? -Infinity, history.busyAt ?? -Infinity)
    const left = since + config.downCooldownMs - now
    if (left > 0) {
      set(current, 'down-cooldown')
      waitMs = left
    }
  }

  const direction = desired > current ? 'up' : desired < current ? 'down' : 'hold'
  return {current, target, desired, rule, direction, waitMs, busy}
}

/** The history after a decision; `applied` is false when the scale was not made (dry run, error). */
export function nextHistory(history: ScaleHistory, decision: Decision, now: number, applied: boolean): ScaleHistory {
  const next: ScaleHistory = {...history}
  if (decision.busy) next.busyAt = now
  if (applied && decision.direction !== 'hold') {
    next.lastChangeAt = now
    if (decision.direction === 'up') next.lastUpAt = now
  }
  return next
}
