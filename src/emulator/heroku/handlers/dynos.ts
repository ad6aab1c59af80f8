// Dynos: list, info, one-off create, restart (one, a process type, all), stop (one, a process type).
import {apiErrors} from '../api-error.js'
import {DEFAULT_DYNO_SIZE, DEFAULT_TIME_TO_LIVE_S, MAX_TIME_TO_LIVE_S} from '../constants.js'
import {presentDyno} from '../presenters.js'
import {findSize} from '../sizes.js'
import type {DynoRecord} from '../store.js'
import {bodyObject, type ApiRequest, type ApiResult, type HandlerContext} from './context.js'

function findDyno(ctx: HandlerContext, identity: string): DynoRecord {
  const dyno = ctx.store.findDyno(identity)
  if (!dyno) throw apiErrors.notFound('dyno')
  return dyno
}

function requireProcessType(ctx: HandlerContext, type: string): void {
  if (!ctx.store.findFormation(type) && ctx.store.dynoList(type).length === 0) throw apiErrors.notFound(`process type (${type})`)
}

export function listDynos(ctx: HandlerContext): ApiResult {
  return {list: ctx.store.dynoList().map(dyno => presentDyno(ctx.store.app, dyno)), rangeFields: ['id', 'name']}
}

export function dynoInfo(ctx: HandlerContext, request: ApiRequest): ApiResult {
  return {body: presentDyno(ctx.store.app, findDyno(ctx, request.params.dyno))}
}

function readEnv(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value)) throw apiErrors.invalidParams('env must be an object of strings.')
  const env: Record<string, string> = {}
  for (const [key, entry] of Object.entries(value)) {
    // The Heroku CLI sends COLUMNS and LINES as numbers, and the API takes them.
    if (!/^\w+$/.test(key) || (typeof entry !== 'string' && typeof entry !== 'number'))
      throw apiErrors.invalidParams(`Invalid env entry "${key}": names are letters, digits and _, values strings.`)
    env[key] = String(entry)
  }
  return env
}

export async function createDyno(ctx: HandlerContext, request: ApiRequest): Promise<ApiResult> {
  const body = bodyObject(request.body)
  if (typeof body.command !== 'string' || body.command.trim() === '') throw apiErrors.invalidParams("Command can't be blank.")
  if (body.attach !== undefined && typeof body.attach !== 'boolean') throw apiErrors.invalidParams('attach must be a boolean.')
  if (body.force_no_tty !== undefined && body.force_no_tty !== null && typeof body.force_no_tty !== 'boolean')
    throw apiErrors.invalidParams('force_no_tty must be a boolean.')
  let size = DEFAULT_DYNO_SIZE
  if (body.size !== undefined && body.size !== null) {
    const found = typeof body.size === 'string' ? findSize(body.size) : undefined
    if (!found) throw apiErrors.invalidParams(`Invalid dyno size: ${String(body.size)}.`)
    size = found.name
  }
  let timeToLive = DEFAULT_TIME_TO_LIVE_S
  if (body.time_to_live !== undefined && body.time_to_live !== null) {
    const ttl = body.time_to_live
    if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TIME_TO_LIVE_S) {
      throw apiErrors.invalidParams(`time_to_live must be an integer from 1 to ${MAX_TIME_TO_LIVE_S} seconds.`)
    }
    timeToLive = ttl
  }
  const type = typeof body.type === 'string' && body.type !== '' ? body.type : 'run'
  const dyno = await ctx.supervisor.runOneOff({
    command: body.command,
    env: readEnv(body.env),
    size,
    attach: body.attach === true,
    timeToLiveS: timeToLive,
    type,
    tty: body.force_no_tty !== true,
  })
  return {status: 201, body: presentDyno(ctx.store.app, dyno)}
}

/**
 * A dyno by name or id, or (as the platform still takes it, and `heroku ps:stop worker` sends it)
 * a process type name: all of that type's dynos.
 */
function dynosNamed(ctx: HandlerContext, identity: string): DynoRecord[] {
  const dyno = ctx.store.findDyno(identity)
  if (dyno) return [dyno]
  const ofType = ctx.store.dynoList(identity)
  if (ofType.length > 0) return ofType
  throw apiErrors.notFound('dyno')
}

export function restartDyno(ctx: HandlerContext, request: ApiRequest): ApiResult {
  for (const dyno of dynosNamed(ctx, request.params.dyno)) ctx.supervisor.restart(dyno.name)
  return {status: 202, body: {}}
}

export function restartFormation(ctx: HandlerContext, request: ApiRequest): ApiResult {
  requireProcessType(ctx, request.params.type)
  for (const dyno of ctx.store.dynoList(request.params.type)) ctx.supervisor.restart(dyno.name)
  return {status: 202, body: {}}
}

export function restartAll(ctx: HandlerContext): ApiResult {
  for (const dyno of ctx.store.dynoList()) ctx.supervisor.restart(dyno.name)
  return {status: 202, body: {}}
}

export function stopDyno(ctx: HandlerContext, request: ApiRequest): ApiResult {
  for (const dyno of dynosNamed(ctx, request.params.dyno)) ctx.supervisor.stop(dyno.name)
  return {status: 202, body: {}}
}

export function stopFormation(ctx: HandlerContext, request: ApiRequest): ApiResult {
  requireProcessType(ctx, request.params.type)
  for (const dyno of ctx.store.dynoList(request.params.type)) ctx.supervisor.stop(dyno.name)
  return {status: 202, body: {}}
}
