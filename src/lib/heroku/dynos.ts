// Dyno operations: list, stop and restart (a dyno, a process type, or all), one-off create.
import type {HerokuApi} from './api.js'
import {compareDynoNames} from '../../common/dyno-order.js'
import {appPath} from './session.js'
import type {Dyno} from './types.js'

/** The app's dynos, only those of `types` when given (one or several process types). */
export async function listDynos(api: HerokuApi, app: string, types?: string | readonly string[]): Promise<Dyno[]> {
  const dynos = await api.get<Dyno[]>(appPath(app, '/dynos'))
  const wanted = types === undefined ? undefined : new Set(typeof types === 'string' ? [types] : types)
  return dynos.filter(dyno => wanted === undefined || wanted.size === 0 || wanted.has(dyno.type)).sort(compareDynoNames)
}

export async function dynoInfo(api: HerokuApi, app: string, name: string): Promise<Dyno> {
  return api.get<Dyno>(appPath(app, `/dynos/${encodeURIComponent(name)}`))
}

/** `worker.1` is a dyno; `worker` a process type. */
export function isDynoName(target: string): boolean {
  return /^[\w-]+\.\d+$/.test(target)
}

export async function stopTarget(api: HerokuApi, app: string, target: string): Promise<{kind: 'dyno' | 'type'; target: string}> {
  if (isDynoName(target)) {
    await api.post(appPath(app, `/dynos/${encodeURIComponent(target)}/actions/stop`))
    return {kind: 'dyno', target}
  }
  await api.post(appPath(app, `/formations/${encodeURIComponent(target)}/actions/stop`))
  return {kind: 'type', target}
}

export type RestartKind = 'dyno' | 'type' | 'all'

/**
 * Restarts one dyno (DELETE /dynos/{dyno}), every dyno of a process type (DELETE
 * /formations/{type}) or every dyno of the app (DELETE /dynos): the Platform API's dyno restart.
 */
export async function restartTarget(api: HerokuApi, app: string, target?: string): Promise<{kind: RestartKind; target?: string}> {
  if (target === undefined) {
    await api.delete(appPath(app, '/dynos'))
    return {kind: 'all'}
  }
  if (isDynoName(target)) {
    await api.delete(appPath(app, `/dynos/${encodeURIComponent(target)}`))
    return {kind: 'dyno', target}
  }
  await api.delete(appPath(app, `/formations/${encodeURIComponent(target)}`))
  return {kind: 'type', target}
}

export interface OneOffOptions {
  command: string
  attach: boolean
  env?: Record<string, string>
  size?: string
  timeToLive?: number
  /** Attached on a terminal: the dyno gets one too, of this size (else force_no_tty). */
  terminal?: {columns?: number; rows?: number; term?: string}
}

export async function createOneOff(api: HerokuApi, app: string, options: OneOffOptions): Promise<Dyno> {
  const body: Record<string, unknown> = {command: options.command, attach: options.attach, type: 'run'}
  const env: Record<string, string> = {...options.env}
  if (options.attach && !options.terminal) body.force_no_tty = true
  if (options.terminal) {
    // As the Heroku CLI sends them (as strings, the schema's type).
    if (options.terminal.term) env.TERM = options.terminal.term
    if (options.terminal.columns) env.COLUMNS = String(options.terminal.columns)
    if (options.terminal.rows) env.LINES = String(options.terminal.rows)
  }
  if (Object.keys(env).length > 0) body.env = env
  if (options.size) body.size = options.size
  if (options.timeToLive !== undefined) body.time_to_live = options.timeToLive
  return api.post<Dyno>(appPath(app, '/dynos'), {body, conflictIsTransient: true})
}
