// What a tick message carries. Its body is the schedule's definition (JSON); its application
// properties carry the state: the fire time it is due at, a revision (the highest one of a name is
// the live tick), the last run-once dyno and the recent outcomes.
import type {ScaleChange} from '../heroku/scale-grammar.js'
import type {ScheduleSpec} from './next-fire.js'

export const TICK_KIND = 'qjob-cron/v1'
export const HISTORY_LIMIT = 20
export const DEFAULT_CRON_QUEUE = 'qjob-cron'
export const DEFAULT_STARTING_DEADLINE_MS = 5 * 60_000

export type CronAction =
  | {type: 'run-once'; command: string; size?: string; ttlSeconds?: number; env?: Record<string, string>}
  | {
      type: 'send'
      queue: string
      body: string
      contentType?: string
      subject?: string
      properties?: Record<string, string | number | boolean>
      ttlMs?: number
    }
  | {type: 'scale'; changes: ScaleChange[]}

export type OverlapPolicy = 'skip' | 'allow' | 'replace'

export interface CronDefinition {
  kind: typeof TICK_KIND
  name: string
  schedule: ScheduleSpec
  action: CronAction
  overlap: OverlapPolicy
  startingDeadlineMs: number
  catchUp: boolean
  paused: boolean
  /** The Heroku app of run-once and scale actions, fixed when the schedule is added. */
  app?: string
  /** A tombstone: written by remove when a tick of the name was due (a due tick cannot be cancelled); it supersedes them and fires nothing. */
  removed?: boolean
}

export type OutcomeStatus = 'ok' | 'failed' | 'skipped' | 'missed' | 'interrupted'

export interface Outcome {
  /** The fire time (ISO), or "trigger" runs' own time. */
  fireTime: string
  /** When it was handled. */
  at: string
  status: OutcomeStatus
  trigger?: boolean
  /** run-once: the dyno started. */
  dyno?: string
  messageId?: string
  reason?: string
  lateMs?: number
}

export interface TickState {
  fireTime: string
  revision: number
  history: Outcome[]
  lastDyno?: string
  /** Set on the next tick while its predecessor is being fired: `<fire time>#<revision>` of that tick (a replica that takes over sees it). */
  firing?: string
}

export const PROPERTY = {
  name: 'qjob-cron-name',
  fireTime: 'qjob-cron-fire-time',
  revision: 'qjob-cron-revision',
  history: 'qjob-cron-history',
  lastDyno: 'qjob-cron-last-dyno',
  firing: 'qjob-cron-firing',
} as const

const NAME = /^[A-Za-z0-9][\w.-]{0,99}$/

export function checkName(name: string): string | undefined {
  return NAME.test(name) ? undefined : 'a name is 1 to 100 letters, digits, ".", "_" or "-", starting with a letter or digit'
}

/** The definition in a tick body, or the reason it is not one (junk is dead-lettered with it). */
export function parseDefinition(body: unknown): {definition: CronDefinition} | {reason: string} {
  let value = body
  if (value instanceof Uint8Array) value = Buffer.from(value).toString('utf8')
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value)
    } catch {
      return {reason: 'the body is not JSON'}
    }
  }
  if (typeof value !== 'object' || value === null) return {reason: 'the body is not a JSON object'}
  const candidate = value as Partial<CronDefinition>
  if (candidate.kind !== TICK_KIND) return {reason: `the body is not a qjob cron schedule (kind is not "${TICK_KIND}")`}
  if (typeof candidate.name !== 'string' || checkName(candidate.name)) return {reason: 'the schedule has no valid name'}
  const schedule = candidate.schedule as Partial<{cron: unknown; everyMs: unknown}> | undefined
  const validSchedule =
    schedule && (typeof schedule.cron === 'string' || (typeof schedule.everyMs === 'number' && schedule.everyMs >= 1000))
  if (!validSchedule) return {reason: 'the schedule has no cron expression or interval'}
  const action = candidate.action as Partial<CronAction> | undefined
  if (!action || !['run-once', 'send', 'scale'].includes(action.type as string)) return {reason: 'the schedule has no valid action'}
  if (!['skip', 'allow', 'replace'].includes(candidate.overlap as string)) return {reason: 'the schedule has no valid overlap policy'}
  return {definition: candidate as CronDefinition}
}

function parseHistory(text: unknown): Outcome[] {
  if (typeof text !== 'string') return []
  try {
    const parsed: unknown = JSON.parse(text)
    return Array.isArray(parsed) ? (parsed as Outcome[]) : []
  } catch {
    return []
  }
}

export function readState(properties: Record<string, unknown> | undefined): TickState {
  const props = properties ?? {}
  return {
    fireTime: String(props[PROPERTY.fireTime] ?? ''),
    revision: Number(props[PROPERTY.revision] ?? 0),
    history: parseHistory(props[PROPERTY.history]),
    lastDyno: typeof props[PROPERTY.lastDyno] === 'string' ? (props[PROPERTY.lastDyno] as string) : undefined,
    firing: typeof props[PROPERTY.firing] === 'string' ? (props[PROPERTY.firing] as string) : undefined,
  }
}

export function stateProperties(name: string, state: TickState): Record<string, string | number> {
  const properties: Record<string, string | number> = {
    [PROPERTY.name]: name,
    [PROPERTY.fireTime]: state.fireTime,
    [PROPERTY.revision]: state.revision,
    [PROPERTY.history]: JSON.stringify(state.history.slice(-HISTORY_LIMIT)),
  }
  if (state.lastDyno) properties[PROPERTY.lastDyno] = state.lastDyno
  if (state.firing) properties[PROPERTY.firing] = state.firing
  return properties
}

export function withOutcome(history: readonly Outcome[], outcome: Outcome): Outcome[] {
  return [...history, outcome].slice(-HISTORY_LIMIT)
}

export function describeAction(action: CronAction): string {
  if (action.type === 'run-once') return `run-once ${action.command}`
  if (action.type === 'send') return `send to ${action.queue}`
  return `scale ${action.changes.map(change => change.arg).join(' ')}`
}

/** The id of the tick due at a fire time: two replicas writing the same next tick write one. */
export function tickMessageId(name: string, fireTime: string, revision?: number): string {
  return revision === undefined ? `${name}@${fireTime}` : `${name}@${fireTime}#${revision}`
}
