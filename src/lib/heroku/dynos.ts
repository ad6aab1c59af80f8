// Dyno operations: list, stop (a dyno or a process type), one-off create.
import type {HerokuApi} from './api.js'
import {compareDynoNames} from '../../common/dyno-order.js'
import {appPath} from './session.js'
import type {Dyno} from './types.js'

export async function listDynos(api: HerokuApi, app: string, type?: string): Promise<Dyno[]> {
  const dynos = await api.get<Dyno[]>(appPath(app, '/dynos'))
  return dynos.filter(dyno => type === undefined || dyno.type === type).sort(compareDynoNames)
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
