// Durations in the emulator's config: ISO 8601 (`PT30S`, `P1D`, `PT0.5S`) as Azure writes them,
// or a number of milliseconds.

const ISO_DURATION = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i

export function parseDurationMs(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value
  if (typeof value === 'string') {
    const match = ISO_DURATION.exec(value.trim())
    if (match && value.trim().length > 1 && !/T$/i.test(value.trim())) {
      const [, days, hours, minutes, seconds] = match.map(part => (part === undefined ? 0 : Number(part)))
      const ms = Math.round((((days * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000)
      if (ms > 0) return ms
    }
  }
  throw new Error(`${field} must be an ISO 8601 duration such as "PT30S" or a number of milliseconds, got ${JSON.stringify(value)}`)
}

/** Milliseconds as an xs:duration (`PT1M30S`), the form Azure's APIs print. */
export function formatDuration(ms: number): string {
  const totalSeconds = ms / 1000
  const days = Math.floor(totalSeconds / 86_400)
  const hours = Math.floor((totalSeconds % 86_400) / 3600)
  const minutes = Math.floor((totalSeconds % 3600) / 60)
  const seconds = Math.round((totalSeconds % 60) * 1000) / 1000
  let text = 'P'
  if (days) text += `${days}D`
  if (hours || minutes || seconds || !days) {
    text += 'T'
    if (hours) text += `${hours}H`
    if (minutes) text += `${minutes}M`
    if (seconds || (!hours && !minutes)) text += `${seconds}S`
  }
  return text
}
