// When a schedule fires: a cron expression (5 fields, or 6 with seconds first; @hourly, @daily…)
// in a time zone, or a fixed --every interval. Pure functions: no clock, no I/O. Cron arithmetic
// (and DST: a time skipped by a spring-forward fires at the same wall time an hour on, a time
// repeated by a fall-back fires once) is croner's.
import {Cron} from 'croner'

import {parseDuration} from '../../common/duration.js'
import {UsageError} from '../../common/errors.js'

export type ScheduleSpec = {cron: string; timezone?: string} | {everyMs: number}

const FIELD_NAMES = ['second', 'minute', 'hour', 'day', 'month', 'dayOfWeek'] as const
const NICKNAMES = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'])
export const MIN_EVERY_MS = 1000

/** The character offset of each space-separated field of an expression. */
function fieldOffsets(expression: string): number[] {
  const offsets: number[] = []
  const pattern = /\S+/g
  for (let match = pattern.exec(expression); match; match = pattern.exec(expression)) offsets.push(match.index)
  return offsets
}

export function checkTimezone(timezone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', {timeZone: timezone})
  } catch {
    throw new UsageError(`unknown time zone "${timezone}"`, {
      hint: 'Use an IANA time zone name, e.g. Europe/Berlin, America/New_York or UTC.',
    })
  }
}

function cronOf(expression: string, timezone?: string): Cron {
  return new Cron(expression, {paused: true, timezone, mode: '5-or-6-parts'})
}

/** Checks an expression and a time zone; a bad one is a usage error naming the field and its position. */
export function parseSchedule(input: {schedule?: string; every?: string; timezone?: string}): ScheduleSpec {
  if ((input.schedule === undefined) === (input.every === undefined)) {
    throw new UsageError('give --schedule CRON or --every DURATION (one of them)', {hint: 'E.g. --schedule "0 7 * * 1-5" or --every 10m.'})
  }
  if (input.every !== undefined) {
    if (input.timezone !== undefined) throw new UsageError('--timezone goes with --schedule, not --every')
    const everyMs = parseDuration(input.every, 'interval')
    if (everyMs < MIN_EVERY_MS) throw new UsageError(`--every must be at least 1s, got ${input.every}`)
    return {everyMs}
  }
  const expression = (input.schedule as string).trim().replace(/\s+/g, ' ')
  if (input.timezone !== undefined) checkTimezone(input.timezone)
  const fields = expression.split(' ')
  if (!(expression.startsWith('@') && NICKNAMES.has(expression.toLowerCase())) && (fields.length < 5 || fields.length > 6)) {
    throw new UsageError(
      `invalid cron expression "${expression}": ${fields.length} field${fields.length === 1 ? '' : 's'}, expected 5 (minute hour day month weekday) or 6 (seconds first)`,
      {
        hint: 'E.g. "0 7 * * 1-5" (07:00 on weekdays), "*/10 * * * *", "*/5 * * * * *" (every 5 s), @hourly, @daily.',
      },
    )
  }
  try {
    cronOf(expression, input.timezone)
  } catch (error) {
    const message = (error as Error).message.replace(/^CronPattern: /, '')
    const field = /for (\w+)/.exec(message)?.[1]
    let where = ''
    const index = field === undefined ? -1 : FIELD_NAMES.indexOf(field as (typeof FIELD_NAMES)[number])
    if (index >= 0) {
      // croner names fields as if the seconds were given; a 5-field expression starts at the minute.
      const position = fields.length === 6 ? index : index - 1
      const offset = fieldOffsets(expression)[position]
      if (offset !== undefined) where = ` at position ${offset + 1} (field ${position + 1}, ${field}: "${fields[position]}")`
    }
    throw new UsageError(`invalid cron expression "${expression}"${where}: ${message}`, {
      hint: 'Fields: [second] minute hour day-of-month month day-of-week; e.g. "0 7 * * 1-5".',
    })
  }
  return input.timezone === undefined ? {cron: expression} : {cron: expression, timezone: input.timezone}
}

/**
 * The first fire time strictly after `after`. An --every schedule is aligned on its interval from
 * the epoch, so every replica computes the same instants.
 */
export function nextFireTime(spec: ScheduleSpec, after: Date): Date | undefined {
  if ('everyMs' in spec) return new Date((Math.floor(after.getTime() / spec.everyMs) + 1) * spec.everyMs)
  return cronOf(spec.cron, spec.timezone).nextRun(after) ?? undefined
}

export function nextFireTimes(spec: ScheduleSpec, after: Date, count: number): Date[] {
  const times: Date[] = []
  let from = after
  while (times.length < count) {
    const next = nextFireTime(spec, from)
    if (!next) break
    times.push(next)
    from = next
  }
  return times
}

export function describeSchedule(spec: ScheduleSpec): string {
  if ('everyMs' in spec) {
    const units: Array<[number, string]> = [
      [86_400_000, 'd'],
      [3_600_000, 'h'],
      [60_000, 'm'],
      [1000, 's'],
    ]
    const unit = units.find(([size]) => spec.everyMs % size === 0)
    return `every ${unit ? `${spec.everyMs / unit[0]}${unit[1]}` : `${spec.everyMs}ms`}`
  }
  return spec.timezone ? `${spec.cron} (${spec.timezone})` : spec.cron
}
