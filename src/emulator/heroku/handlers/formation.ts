// Formation: list, info, update one process type, batch update. Accepts the current request shape
// (`quantity` integer, `dyno_size: {id|name}`) and the older one (`size: "Standard-2X"`,
// `quantity: "+1"` or `"2"`). A batch is validated whole before anything changes.
import {apiErrors} from '../api-error.js'
import {presentFormation} from '../presenters.js'
import {findSize} from '../sizes.js'
import type {FormationRecord} from '../store.js'
import {bodyObject, type ApiResult, type HandlerContext, type ApiRequest} from './context.js'

interface PlannedChange {
  formation: FormationRecord
  quantity: number
  size: string
}

function findFormation(ctx: HandlerContext, identity: string): FormationRecord {
  const formation = ctx.store.findFormation(identity)
  if (!formation) throw apiErrors.notFound(`process type (${identity})`)
  return formation
}

function planQuantity(value: unknown, current: number): number {
  if (value === undefined || value === null) return current
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) throw apiErrors.invalidParams('Quantity must be a non-negative integer.')
    return value
  }
  if (typeof value === 'string') {
    const match = /^([+-]?)(\d+)$/.exec(value.trim())
    if (!match) throw apiErrors.invalidParams(`Invalid quantity "${value}".`)
    const amount = Number(match[2])
    if (match[1] === '+') return current + amount
    if (match[1] === '-') return Math.max(0, current - amount)
    return amount
  }
  throw apiErrors.invalidParams('Quantity must be an integer.')
}

function planSize(update: Record<string, unknown>, current: string): string {
  let identity: string | undefined
  const dynoSize = update.dyno_size
  if (dynoSize !== undefined && dynoSize !== null) {
    if (typeof dynoSize !== 'object') throw apiErrors.invalidParams('dyno_size must be an object with "id" or "name".')
    const {id, name} = dynoSize as {id?: unknown; name?: unknown}
    identity = typeof name === 'string' ? name : typeof id === 'string' ? id : undefined
    if (identity === undefined) throw apiErrors.invalidParams('dyno_size must have an "id" or a "name".')
  } else if (update.size !== undefined && update.size !== null) {
    if (typeof update.size !== 'string') throw apiErrors.invalidParams('size must be a string.')
    identity = update.size
  }
  if (identity === undefined) return current
  const size = findSize(identity)
  if (!size) throw apiErrors.invalidParams(`Invalid dyno size: ${identity}.`)
  return size.name
}

function plan(ctx: HandlerContext, formation: FormationRecord, update: Record<string, unknown>): PlannedChange {
  const size = planSize(update, formation.size)
  const quantity = planQuantity(update.quantity, formation.quantity)
  const limit = findSize(size)?.maxQuantity ?? 100
  if (quantity > limit) throw apiErrors.invalidParams(`Cannot update to more than ${limit} ${size} size dynos per process type.`)
  return {formation, quantity, size}
}

function apply(ctx: HandlerContext, changes: readonly PlannedChange[]): FormationRecord[] {
  ctx.store.updateFormation(changes)
  for (const {formation} of changes) ctx.supervisor.reconcile(formation.type)
  return changes.map(change => change.formation)
}

export function listFormation(ctx: HandlerContext): ApiResult {
  return {list: ctx.store.formationList().map(entry => presentFormation(ctx.store.app, entry)), rangeFields: ['id', 'type']}
}

export function formationInfo(ctx: HandlerContext, request: ApiRequest): ApiResult {
  return {body: presentFormation(ctx.store.app, findFormation(ctx, request.params.formation))}
}

export function updateFormation(ctx: HandlerContext, request: ApiRequest): ApiResult {
  const formation = findFormation(ctx, request.params.formation)
  const [updated] = apply(ctx, [plan(ctx, formation, bodyObject(request.body))])
  return {body: presentFormation(ctx.store.app, updated)}
}

export function batchUpdateFormation(ctx: HandlerContext, request: ApiRequest): ApiResult {
  const {updates} = bodyObject(request.body)
  if (!Array.isArray(updates) || updates.length === 0) throw apiErrors.invalidParams('updates must be a non-empty array.')
  const seen = new Set<string>()
  const changes = updates.map(update => {
    const entry = bodyObject(update)
    if (typeof entry.type !== 'string' || entry.type === '') throw apiErrors.invalidParams('Each update needs a "type".')
    const formation = findFormation(ctx, entry.type)
    if (seen.has(formation.type)) throw apiErrors.invalidParams(`Process type ${formation.type} is updated twice.`)
    seen.add(formation.type)
    return plan(ctx, formation, entry)
  })
  return {body: apply(ctx, changes).map(formation => presentFormation(ctx.store.app, formation))}
}
