// Durations in the emulator's config: ISO 8601 (`PT30S`, `P1D`, `PT0.5S`) as Azure writes them,
// or a number of milliseconds. Parsing and printing ISO 8601 live in src/common/duration.ts.
import {parseIsoDuration} from '../../../common/duration.js'

export function parseDurationMs(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value
  const ms = typeof value === 'string' ? parseIsoDuration(value) : Number.NaN
  if (ms > 0) return ms
  throw new Error(`${field} must be an ISO 8601 duration such as "PT30S" or a number of milliseconds, got ${JSON.stringify(value)}`)
}
