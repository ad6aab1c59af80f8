// Text for people: the formation table, dynos grouped by type, ages. Pure functions.
import {formatTable} from '../output.js'
import {compareDynoNames} from '../../common/dyno-order.js'
import {formationSize, type Dyno, type Formation} from './types.js'

export function formatFormation(formation: readonly Formation[]): string {
  if (formation.length === 0) return 'No process types. Add a Procfile to the app.'
  return formatTable(formation, [
    {header: 'TYPE', get: entry => entry.type},
    {header: 'QTY', get: entry => entry.quantity, align: 'right'},
    {header: 'SIZE', get: entry => formationSize(entry)},
    {header: 'COMMAND', get: entry => entry.command, max: 60},
  ])
}

/** "3s", "5m", "2h 10m", "3d 4h" */
export function formatAge(fromIso: string, now: Date = new Date()): string {
  const seconds = Math.max(0, Math.floor((now.getTime() - Date.parse(fromIso)) / 1000))
  if (seconds < 60) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes}m`
  const hours = Math.floor(minutes / 60)
  if (hours < 24) return `${hours}h ${minutes % 60}m`
  return `${Math.floor(hours / 24)}d ${hours % 24}h`
}

/** Dynos grouped by process type, one-off dynos last: a heading per type, then a table. */
export function formatDynos(dynos: readonly Dyno[], now: Date = new Date()): string {
  if (dynos.length === 0) return 'No dynos.'
  const groups = new Map<string, Dyno[]>()
  for (const dyno of [...dynos].sort(compareDynoNames)) {
    const group = groups.get(dyno.type) ?? []
    group.push(dyno)
    groups.set(dyno.type, group)
  }
  const types = [...groups.keys()].sort((a, b) => Number(a === 'run') - Number(b === 'run') || a.localeCompare(b))
  return types
    .map(type => {
      const group = groups.get(type) as Dyno[]
      const heading = `=== ${type} (${group.length})`
      const table = formatTable(group, [
        {header: 'NAME', get: dyno => dyno.name},
        {header: 'STATE', get: dyno => dyno.state},
        {header: 'SIZE', get: dyno => dyno.size ?? ''},
        {header: 'AGE', get: dyno => formatAge(dyno.updated_at ?? dyno.created_at, now), align: 'right'},
        {header: 'COMMAND', get: dyno => dyno.command, max: 60},
      ])
      return `${heading}\n${table}`
    })
    .join('\n\n')
}

/** The JSON qjob prints for a dyno (camelCase, stable keys). */
export function dynoJson(dyno: Dyno) {
  return {
    name: dyno.name,
    type: dyno.type,
    state: dyno.state,
    size: dyno.size ?? null,
    command: dyno.command,
    createdAt: dyno.created_at,
    updatedAt: dyno.updated_at,
    id: dyno.id,
  }
}

export function formationJson(entry: Formation) {
  return {type: entry.type, quantity: entry.quantity, size: formationSize(entry), command: entry.command, id: entry.id}
}
