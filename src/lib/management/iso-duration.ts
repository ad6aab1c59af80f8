// xs:duration / ISO 8601 durations as the management APIs use them ("PT1M", "P14D",
// "P10675199DT2H48M5.4775807S" for "never").
const ISO = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/

export function isoToMs(value: string | undefined): number {
  const match = ISO.exec(value ?? '')
  if (!match) return Number.NaN
  const [, days, hours, minutes, seconds] = match.map(part => Number(part ?? 0))
  return Math.round(((days * 24 + hours) * 60 + minutes) * 60_000 + seconds * 1000)
}

export function msToIso(ms: number): string {
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
