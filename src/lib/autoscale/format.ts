// One line per autoscale event: logfmt-style text with a reason for people, or a JSON line.
import {formatDuration} from '../../common/duration.js'
import {logfmt} from '../../common/logfmt.js'
import type {AutoscaleConfig} from './decide.js'
import type {AutoscaleEvent, DecisionEvent, FailureEvent} from './loop.js'

/** Why the decision came out as it did, in words. */
export function decisionReason(event: DecisionEvent, config: AutoscaleConfig): string {
  const {counts, current, target, desired} = event
  const wait = event.waitMs === undefined ? '' : `, ${formatDuration(event.waitMs)} left`
  switch (event.rule) {
    case 'target':
      return `ceil(${counts.active} active / ${config.perWorker} per worker) = ${target}`
    case 'activation':
      return `${counts.active} active, not above the activation threshold ${config.activation}: stays at zero`
    case 'min':
      return `raised to --min ${config.min}`
    case 'max':
      return `capped at --max ${config.max} (target ${target})`
    case 'tier-limit':
      return `capped at ${desired}, the most dynos the platform accepted (target ${target})`
    case 'locked':
      return `${counts.locked} messages locked by workers: not below ${desired}`
    case 'max-step':
      return `at most ${config.maxStep} per decision (target ${target})`
    case 'up-cooldown':
      return `up-cooldown ${formatDuration(config.upCooldownMs)} since the last scale-up${wait} (target ${target})`
    case 'down-cooldown':
      return `down-cooldown ${formatDuration(config.downCooldownMs)} since the last change or load${wait} (target ${target}, current ${current})`
  }
}

export function formatEvent(event: AutoscaleEvent, config: AutoscaleConfig): string {
  if (event.event === 'error') return formatFailure(event)
  const {counts} = event
  return logfmt([
    ['time', event.time],
    ['queue', event.queue],
    ['active', counts.active],
    ['scheduled', counts.scheduled],
    ['dead_letter', counts.deadLetter],
    ['locked', counts.locked ?? 'unknown'],
    ['type', event.type],
    ['current', event.current],
    ['desired', event.desired],
    ['action', event.action],
    ['rule', event.rule],
    ['reason', decisionReason(event, config)],
  ])
}

export function formatFailure(event: FailureEvent): string {
  return logfmt([
    ['time', event.time],
    ['error', event.kind],
    ['stage', event.stage],
    ['message', event.message],
    ['retry_in', formatDuration(event.retryInMs)],
    ['hint', event.hint],
  ])
}

export function eventJson(event: AutoscaleEvent, config: AutoscaleConfig): Record<string, unknown> {
  if (event.event === 'error') return {...event}
  return {...event, reason: decisionReason(event, config)}
}
