// Identifiers and timestamps in the shapes the Platform API uses.
import {createHash, randomUUID} from 'node:crypto'

/** A stable UUID derived from a name (so an app keeps its id across emulator restarts). */
export function stableUuid(name: string): string {
  const hex = createHash('sha1').update(`qjob-emulator:${name}`).digest('hex')
  const variant = ((Number.parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

export function newId(): string {
  return randomUUID()
}

/** ISO 8601 without milliseconds, as the API prints them: 2012-01-01T12:00:00Z. */
export function apiTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`
}

/** Logplex timestamps: 2012-01-01T12:00:00.123456+00:00. */
export function logTime(date: Date): string {
  return `${date.toISOString().slice(0, 23)}000+00:00`
}

/** An app name the API accepts (^[a-z][a-z0-9-]{1,28}[a-z0-9]$), made from a directory name. */
export function appNameFrom(directoryName: string): string {
  let name = directoryName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
  name = name.slice(0, 30).replace(/-+$/, '')
  if (name.length < 3) name = `app-${name || 'local'}`.slice(0, 30).replace(/-+$/, '')
  return name
}
