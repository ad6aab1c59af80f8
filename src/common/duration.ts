// Durations as users type them: "90" (seconds), "500ms", "30s", "10m", "2h", "1d", "1h30m", or
// ISO 8601 ("PT5M", "P1DT2H"). Always returned in milliseconds.
import {UsageError} from './errors.js'

const UNIT_MS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000}
const COMPACT = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)/
const ISO = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i

export function parseDuration(text: string, what = 'duration'): number {
  const input = text.trim()
  if (/^\d+(\.\d+)?$/.test(input)) return Math.round(Number(input) * 1000)
  const iso = ISO.exec(input)
  if (iso && input.length > 1 && !/T$/i.test(input)) {
    const [, days, hours, minutes, seconds] = iso.map(part => Number(part ?? 0))
    return Math.round(((days * 24 + hours) * 60 + minutes) * 60_000 + seconds * 1000)
  }
  let rest = input.toLowerCase()
  let total = 0
  while (rest !== '') {
    const match = COMPACT.exec(rest)
    if (!match) break
    total += Number(match[1]) * UNIT_MS[match[2]]
    rest = rest.slice(match[0].length)
  }
  if (rest !== '' || input === '') {
    throw new UsageError(`invalid ${what} "${text}"`, {hint: 'Use seconds (90), a unit (500ms, 30s, 10m, 2h, 1d, 1h30m) or ISO 8601 (PT5M).'})
  }
  return Math.round(total)
}

/** "1h 30m" style text for people. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`
  const parts: string[] = []
  let rest = Math.round(ms / 1000)
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`)
      rest %= size
    }
  }
  return parts.join(' ')
}
