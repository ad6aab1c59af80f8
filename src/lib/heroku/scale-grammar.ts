// The `qjob scale` argument grammar, strict: TYPE=N, TYPE=N:SIZE, TYPE:SIZE (size only, as
// `heroku ps:type` does), TYPE+N, TYPE-N. Any argument
// that does not parse is an error naming it (the Heroku CLI silently drops such arguments).
// Pure functions: parsing, then planning absolute quantities against the current formation.
import {NotFoundError, UsageError} from '../../common/errors.js'
import {formationSize, type Formation} from './types.js'

export type ScaleChange =
  | {type: string; op: 'set'; quantity: number; size?: string; arg: string}
  | {type: string; op: 'add' | 'remove'; quantity: number; arg: string}
  | {type: string; op: 'resize'; size: string; arg: string}

/** The most dynos of one process type the platform allows. */
export const MAX_QUANTITY = 100

const SET = /^([A-Za-z0-9_-]+?)=(\d+)(?::([A-Za-z0-9-]+))?$/
const RELATIVE = /^([A-Za-z0-9_-]+?)([+-])(\d+)$/
const RESIZE = /^([A-Za-z0-9_-]+):([A-Za-z][A-Za-z0-9-]*)$/

const GRAMMAR_HINT = 'Write TYPE=N, TYPE=N:SIZE, TYPE:SIZE, TYPE+N or TYPE-N, e.g. "qjob scale worker=2 web=1:standard-2x".'

export function parseScaleArg(arg: string): ScaleChange {
  const set = SET.exec(arg)
  if (set) {
    const quantity = checkedQuantity(set[2], arg)
    return set[3] === undefined ? {type: set[1], op: 'set', quantity, arg} : {type: set[1], op: 'set', quantity, size: set[3], arg}
  }
  const resize = RESIZE.exec(arg)
  if (resize) return {type: resize[1], op: 'resize', size: resize[2], arg}
  const relative = RELATIVE.exec(arg)
  if (relative) {
    const quantity = checkedQuantity(relative[3], arg)
    if (quantity === 0) throw new UsageError(`"${arg}" changes nothing`, {hint: GRAMMAR_HINT})
    return {type: relative[1], op: relative[2] === '+' ? 'add' : 'remove', quantity, arg}
  }
  throw new UsageError(`cannot read scale argument "${arg}"`, {hint: GRAMMAR_HINT})
}

function checkedQuantity(digits: string, arg: string): number {
  const quantity = Number(digits)
  if (!Number.isSafeInteger(quantity) || quantity > MAX_QUANTITY) {
    throw new UsageError(`"${arg}": at most ${MAX_QUANTITY} dynos per process type`, {hint: GRAMMAR_HINT})
  }
  return quantity
}

/** Every argument parsed, or the first bad one reported; a process type named twice is an error. */
export function parseScaleArgs(args: readonly string[]): ScaleChange[] {
  const changes = args.map(parseScaleArg)
  const seen = new Map<string, string>()
  for (const change of changes) {
    const earlier = seen.get(change.type)
    if (earlier) throw new UsageError(`"${earlier}" and "${change.arg}" both scale ${change.type}`, {hint: 'Give each process type once.'})
    seen.set(change.type, change.arg)
  }
  return changes
}

/** One batch update: what the API accepts and the schema describes (quantity integer, dyno_size). */
export interface FormationUpdate {
  type: string
  quantity: number
  dyno_size?: {name: string}
}

/**
 * Turns changes into absolute quantities against the current formation. Relative changes need the
 * process type to exist; going below zero is an error naming the argument.
 */
export function planScale(changes: readonly ScaleChange[], current: readonly Formation[]): FormationUpdate[] {
  return changes.map(change => {
    const existing = current.find(entry => entry.type === change.type)
    if (!existing) {
      const known = current.map(entry => entry.type).join(', ') || 'none'
      throw new NotFoundError(`no process type "${change.type}" in the formation (from "${change.arg}")`, {
        hint: `Process types: ${known}. They come from the Procfile of the app's latest release.`,
      })
    }
    if (change.op === 'resize') return {type: change.type, quantity: existing.quantity, dyno_size: {name: change.size}}
    if (change.op === 'set') {
      return change.size === undefined
        ? {type: change.type, quantity: change.quantity}
        : {type: change.type, quantity: change.quantity, dyno_size: {name: change.size}}
    }
    const quantity = existing.quantity + (change.op === 'add' ? change.quantity : -change.quantity)
    if (quantity < 0) {
      throw new UsageError(`"${change.arg}" would leave ${quantity} ${change.type} dynos (there are ${existing.quantity})`, {
        hint: `Use ${change.type}=0 to stop them all.`,
      })
    }
    if (quantity > MAX_QUANTITY)
      throw new UsageError(`"${change.arg}" would make ${quantity} ${change.type} dynos (at most ${MAX_QUANTITY})`)
    return {type: change.type, quantity}
  })
}

/** "web=1:Basic worker=2:Standard-1X": the formation as scale arguments, to be fed back in. */
export function formationArgs(formation: readonly Formation[]): string {
  return formation.map(entry => `${entry.type}=${entry.quantity}${formationSize(entry) ? `:${formationSize(entry)}` : ''}`).join(' ')
}

/** "worker at 2:Standard-1X" */
export function describeFormation(entry: Formation): string {
  return `${entry.type} at ${entry.quantity}:${formationSize(entry)}`
}
