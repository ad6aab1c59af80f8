// Autoscale settings from flags, checked before any call: bad values are usage errors (exit 2).
import {parseDuration} from '../../common/duration.js'
import {UsageError} from '../../common/errors.js'
import {MAX_QUANTITY} from '../heroku/scale-grammar.js'
import type {AutoscaleConfig} from './decide.js'

export interface AutoscaleFlagValues {
  min: number
  max: number
  'per-worker': number
  activation: number
  interval: string
  'up-cooldown': string
  'down-cooldown': string
  'max-step'?: number
  'jobs-per-worker': number
}

export interface AutoscaleSettings {
  config: AutoscaleConfig
  intervalMs: number
}

function duration(text: string, what: string): number {
  const ms = parseDuration(text, what)
  if (ms < 0) throw new UsageError(`${what} cannot be negative`)
  return ms
}

export function autoscaleSettings(flags: AutoscaleFlagValues): AutoscaleSettings {
  const {min, max} = flags
  if (!Number.isInteger(min) || min < 0) throw new UsageError(`--min must be 0 or more, not ${min}`)
  if (!Number.isInteger(max) || max < 1 || max > MAX_QUANTITY) throw new UsageError(`--max must be 1 to ${MAX_QUANTITY}, not ${max}`)
  if (min > max) throw new UsageError(`--min ${min} is above --max ${max}`, {hint: 'Give --min at most --max.'})
  if (flags['per-worker'] < 1) throw new UsageError(`--per-worker must be 1 or more, not ${flags['per-worker']}`)
  if (flags.activation < 0) throw new UsageError(`--activation must be 0 or more, not ${flags.activation}`)
  if (flags['max-step'] !== undefined && flags['max-step'] < 1)
    throw new UsageError(`--max-step must be 1 or more, not ${flags['max-step']}`)
  if (flags['jobs-per-worker'] < 1) throw new UsageError(`--jobs-per-worker must be 1 or more, not ${flags['jobs-per-worker']}`)
  const intervalMs = duration(flags.interval, 'interval')
  if (intervalMs < 1000)
    throw new UsageError(`--interval must be at least 1s, not ${flags.interval}`, {
      hint: 'Every request spends Platform API rate limit; 30s is the usual interval.',
    })
  return {
    intervalMs,
    config: {
      min,
      max,
      perWorker: flags['per-worker'],
      activation: flags.activation,
      upCooldownMs: duration(flags['up-cooldown'], 'up-cooldown'),
      downCooldownMs: duration(flags['down-cooldown'], 'down-cooldown'),
      maxStep: flags['max-step'],
      jobsPerWorker: flags['jobs-per-worker'],
    },
  }
}
