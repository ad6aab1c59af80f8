// The schedule commands over the control queue: add, list, show, trigger, pause, resume, remove.
// A change writes a new tick (revision + 1) and cancels the ones it replaces.
import type {ServiceBusClient} from '@azure/service-bus'

import {NotFoundError, OperationError} from '../../common/errors.js'
import {dynoInfo} from '../heroku/dynos.js'
import {performAction, type ActionContext} from './actions.js'
import {type CronDefinition, type Outcome, tickMessageId, type TickState, withOutcome} from './definition.js'
import {nextFireTime} from './next-fire.js'
import {cancelTicksIfScheduled, liveTicks, readTicks, type Tick, ticksOf, writeTick} from './store.js'

export interface ScheduleView {
  name: string
  schedule: CronDefinition['schedule']
  action: CronDefinition['action']
  overlap: CronDefinition['overlap']
  paused: boolean
  nextRun?: string
  revision: number
  lastOutcome?: Outcome & {dynoState?: string}
  history: Outcome[]
  app?: string
}

function view(tick: Tick): ScheduleView {
  const definition = tick.definition as CronDefinition
  return {
    name: definition.name,
    schedule: definition.schedule,
    action: definition.action,
    overlap: definition.overlap,
    paused: definition.paused,
    nextRun: definition.paused ? undefined : tick.tick.fireTime,
    revision: tick.tick.revision,
    lastOutcome: tick.tick.history.at(-1),
    history: tick.tick.history,
    app: definition.app,
  }
}

async function liveTick(client: ServiceBusClient, queue: string, name: string): Promise<{live: Tick; all: Tick[]}> {
  const all = ticksOf(await readTicks(client, queue), name)
  const live = liveTicks(all).get(name)
  if (!live) throw new NotFoundError(`no schedule named "${name}" in ${queue}`, {hint: 'See the schedules with "qjob cron list".'})
  return {live, all}
}

/** Writes the replacement of a schedule's ticks (one revision up) and cancels the old ones. */
async function replace(
  client: ServiceBusClient,
  queue: string,
  all: Tick[],
  definition: CronDefinition,
  state: Omit<TickState, 'revision'>,
): Promise<TickState> {
  const revision = Math.max(0, ...all.map(tick => tick.tick.revision)) + 1
  const next = {...state, revision}
  await writeTick(client, queue, definition, next, tickMessageId(definition.name, next.fireTime, revision))
  await cancelTicksIfScheduled(client, queue, all)
  return next
}

function firstFire(definition: CronDefinition, now: number): string {
  const next = nextFireTime(definition.schedule, new Date(now))
  if (!next) throw new OperationError(`the schedule "${definition.name}" never fires`)
  return next.toISOString()
}

export async function addSchedule(
  client: ServiceBusClient,
  queue: string,
  definition: CronDefinition,
  options: {replace: boolean; now?: number},
): Promise<ScheduleView> {
  const all = ticksOf(await readTicks(client, queue), definition.name)
  const existing = liveTicks(all).get(definition.name)
  if (existing && !options.replace) {
    throw new OperationError(`a schedule named "${definition.name}" exists`, {
      hint: 'Pass --replace to replace it (its history is kept), or choose another name.',
    })
  }
  const state = await replace(client, queue, all, definition, {
    fireTime: firstFire(definition, options.now ?? Date.now()),
    history: existing?.tick.history ?? [],
    lastDyno: existing?.tick.lastDyno,
  })
  return view({sequenceNumber: '', messageId: '', state: 'scheduled', deliveryCount: 0, definition, tick: state})
}

export async function listSchedules(client: ServiceBusClient, queue: string, heroku?: ActionContext['heroku']): Promise<ScheduleView[]> {
  const views = [...liveTicks(await readTicks(client, queue)).values()].map(view)
  if (heroku) {
    // The last run's dyno, as the platform reports it now (gone once a one-off has ended).
    await Promise.all(
      views.map(async entry => {
        const dyno = entry.lastOutcome?.dyno
        if (!dyno || !entry.lastOutcome) return
        try {
          const {api, app} = await heroku(entry.app)
          entry.lastOutcome = {...entry.lastOutcome, dynoState: (await dynoInfo(api, app, dyno)).state}
        } catch (error) {
          entry.lastOutcome = {...entry.lastOutcome, dynoState: error instanceof NotFoundError ? 'ended' : 'unknown'}
        }
      }),
    )
  }
  return views
}

export async function showSchedule(client: ServiceBusClient, queue: string, name: string): Promise<ScheduleView> {
  return view((await liveTick(client, queue, name)).live)
}

export async function setPaused(
  client: ServiceBusClient,
  queue: string,
  name: string,
  paused: boolean,
  now = Date.now(),
): Promise<ScheduleView> {
  const {live, all} = await liveTick(client, queue, name)
  const definition = {...(live.definition as CronDefinition), paused}
  // Resumed: from the next fire time after now (the paused windows are not caught up).
  const fireTime = paused ? live.tick.fireTime : firstFire(definition, now)
  const state = await replace(client, queue, all, definition, {fireTime, history: live.tick.history, lastDyno: live.tick.lastDyno})
  return view({...live, definition, tick: state})
}

export async function removeSchedule(
  client: ServiceBusClient,
  queue: string,
  name: string,
  now = Date.now(),
): Promise<{name: string; cancelled: number; due: number}> {
  const {live, all} = await liveTick(client, queue, name)
  const due = all.filter(tick => tick.state !== 'scheduled').length
  if (due > 0) {
    // A due tick cannot be cancelled: a tombstone one revision up makes it stale for whichever
    // replica picks it up, and is itself dropped.
    const definition = {...(live.definition as CronDefinition), removed: true}
    const revision = Math.max(0, ...all.map(tick => tick.tick.revision)) + 1
    const fireTime = new Date(now).toISOString()
    await writeTick(client, queue, definition, {fireTime, revision, history: []}, `${name}@removed#${revision}`)
  }
  await cancelTicksIfScheduled(client, queue, all)
  return {name, cancelled: all.length - due, due}
}

/** Runs the action now, once, and records it in the schedule's history. */
export async function triggerSchedule(context: ActionContext, queue: string, name: string, now = Date.now()): Promise<Outcome> {
  const {live, all} = await liveTick(context.client, queue, name)
  const definition = live.definition as CronDefinition
  const at = new Date(now).toISOString()
  const result = await performAction(context, definition, `trigger-${at}`)
  const outcome: Outcome = {fireTime: at, at, trigger: true, ...result}
  await replace(context.client, queue, all, definition, {
    fireTime: live.tick.fireTime,
    history: withOutcome(live.tick.history, outcome),
    lastDyno: result.dyno ?? live.tick.lastDyno,
  })
  return outcome
}
