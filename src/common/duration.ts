// Durations, one module for both forms qjob reads and writes:
// - for people: "90" (seconds), "500ms", "30s", "10m", "2h", "1d", "1h30m", "1h 30m" (what
//   formatDuration prints), or ISO 8601; always returned in milliseconds;
// - ISO 8601 / xs:duration as Azure's APIs and config files write them ("PT1M", "P14D",
//   "P10675199DT2H48M5.4775807S" for "never").
import {UsageError} from './errors.js'

const UNIT_MS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000}
const COMPACT = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)\s*/
const ISO = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i

/** An ISO 8601 duration (`PT30S`, `P1DT2H`, `PT0.5S`; any case) in milliseconds; NaN when it is not one. */
export function parseIsoDuration(text: string | undefined): number {
  const input = (text ?? '').trim()
  const match = ISO.exec(input)
  // "P" and "P1DT" match the pattern but name no amount.
  if (!match || input.length === 1 || /T$/i.test(input)) return Number.NaN
  const [, days, hours, minutes, seconds] = match.map(part => Number(part ?? 0))
  return Math.round(((days * 24 + hours) * 60 + minutes) * 60_000 + seconds * 1000)
}

/** Milliseconds as an xs:duration (`PT1M30S`, `P1D`, `PT0S`), the form Azure's APIs print. */
export function formatIsoDuration(ms: number): string {
  let rest = Math.round(ms)
  const days = Math.floor(rest / 86_400_000)
  rest -= days * 86_400_000
  const hours = Math.floor(rest / 3_600_000)
  rest -= hours * 3_600_000
  const minutes = Math.floor(rest / 60_000)
  rest -= minutes * 60_000
  const seconds = rest / 1000
  const time = `${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${seconds ? `${seconds}S` : ''}`
  return `P${days ? `${days}D` : ''}${time ? `T${time}` : days ? '' : 'T0S'}`
}

/** A duration typed by a person (see the header), in milliseconds; a UsageError when it is none. */
export function parseDuration(text: string, what = 'duration'): number {
  const input = text.trim()
  if (/^\d+(\.\d+)?$/.test(input)) return Math.round(Number(input) * 1000)
  const iso = parseIsoDuration(input)
  if (!Number.isNaN(iso)) return iso
  let rest = input.toLowerCase()
  let total = 0
  while (rest !== '') {
    const match = COMPACT.exec(rest)
    if (!match) break
    total += Number(match[1]) * UNIT_MS[match[2]]
    rest = rest.slice(match[0].length)
  }
  if (rest !== '' || input === '') {
    throw new UsageError(`invalid ${what} "${text}"`, {
      hint: 'Use seconds (90), a unit (500ms, 30s, 10m, 2h, 1d, 1h30m) or ISO 8601 (PT5M).',
    })
  }
  return Math.round(total)
}

/** "1h 30m" style text for people; parseDuration reads it back. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`
  const parts: string[] = []
  let rest = Math.round(ms / 1000)
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`)
      rest %= size
    }
  }
  return parts.join(' ')
}
