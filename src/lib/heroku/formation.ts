// Formation operations: read it, scale it in one batch update, wait until the dynos match.
import {OperationError, UsageError} from '../../common/errors.js'
import type {HerokuApi} from './api.js'
import {planScale, type FormationUpdate, type ScaleChange} from './scale-grammar.js'
import {appPath} from './session.js'
import type {Dyno, Formation} from './types.js'

export async function listFormation(api: HerokuApi, app: string): Promise<Formation[]> {
  const formation = await api.get<Formation[]>(appPath(app, '/formation'))
  return [...formation].sort((a, b) => a.type.localeCompare(b.type))
}

/** Reads the formation, plans absolute quantities, and sends one batch update. */
export async function scaleFormation(
  api: HerokuApi,
  app: string,
  changes: readonly ScaleChange[],
): Promise<{updates: FormationUpdate[]; formation: Formation[]}> {
  const current = await listFormation(api, app)
  if (current.length === 0) {
    throw new UsageError(`app ${app} has no process types to scale`, {
      hint: 'Add a Procfile (e.g. "worker: node worker.js") and deploy it.',
    })
  }
  const updates = planScale(changes, current)
  const updated = await api.patch<Formation[]>(appPath(app, '/formation'), {body: {updates}})
  const byType = new Map(current.map(entry => [entry.type, entry]))
  for (const entry of updated) byType.set(entry.type, entry)
  return {updates, formation: [...byType.values()].sort((a, b) => a.type.localeCompare(b.type))}
}

export interface WaitOptions {
  timeoutMs: number
  /** Called with the dynos seen at each poll (progress display). */
  onPoll?: (dynos: Dyno[]) => void
  pollMs?: number
  /** The dynos must stay matched this long (a dyno that dies at once is caught). */
  settleMs?: number
}

/**
 * Waits until every scaled process type has exactly its quantity of dynos, all up, and still so a
 * moment later (a process that dies right after starting is caught). A crashed dyno of one of
 * those types is an error naming it.
 */
export async function waitForFormation(
  api: HerokuApi,
  app: string,
  targets: ReadonlyArray<{type: string; quantity: number}>,
  options: WaitOptions,
): Promise<Dyno[]> {
  const deadline = Date.now() + options.timeoutMs
  let pollMs = options.pollMs ?? 250
  const settleMs = options.settleMs ?? 1000
  let settledSince: number | undefined
  for (;;) {
    const dynos = await api.get<Dyno[]>(appPath(app, '/dynos'))
    options.onPoll?.(dynos)
    const relevant = dynos.filter(dyno => targets.some(target => target.type === dyno.type))
    const crashed = relevant.find(dyno => dyno.state === 'crashed')
    if (crashed) {
      throw new OperationError(`dyno ${crashed.name} crashed`, {hint: `See why with "qjob logs -d ${crashed.name}".`})
    }
    const settled = targets.every(target => {
      const ofType = relevant.filter(dyno => dyno.type === target.type)
      return ofType.length === target.quantity && ofType.every(dyno => dyno.state === 'up')
    })
    if (!settled) settledSince = undefined
    else if (settledSince === undefined) settledSince = Date.now()
    else if (Date.now() - settledSince >= settleMs) return relevant
    if (Date.now() + pollMs > deadline) {
      const summary = targets
        .map(
          target =>
            `${target.type} ${relevant.filter(dyno => dyno.type === target.type && dyno.state === 'up').length}/${target.quantity} up`,
        )
        .join(', ')
      throw new OperationError(`timed out waiting for the dynos (${summary})`, {
        hint: 'Check "qjob ps" and "qjob logs"; raise --wait-timeout for slow starts.',
      })
    }
    const wait = settledSince === undefined ? pollMs : Math.max(0, settleMs - (Date.now() - settledSince))
    await new Promise(resolve => setTimeout(resolve, wait))
    pollMs = Math.min(pollMs * 2, 2000)
  }
}
