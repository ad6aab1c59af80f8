// Firing one due tick, held under its peek-lock. The order makes each fire time run at most once
// across any number of replicas:
//   1. a tick that is not the live one of its name (a higher revision exists, or the same one
//      written first) is stale: dropped;
//      unless that higher tick says it was being fired from this one, and never recorded: the
//      replica firing it died mid-fire, and the outcome "interrupted" is recorded (not run again);
//   2. paused, missed (later than --starting-deadline, without --catch-up) or an overlap to skip:
//      the next tick is written with the outcome, the action is not performed;
//   3. else the next tick is written first (id NAME@<next fire time>: two replicas racing after a
//      lock expiry write one), marked as firing this one; then the action runs; then the outcome
//      is recorded in a replacement of the next tick, the first one cancelled, and this one completed.
import type {ServiceBusReceivedMessage, ServiceBusReceiver} from '@azure/service-bus'

import {checkOverlap, performAction, type ActionContext} from './actions.js'
import {type CronDefinition, type Outcome, tickMessageId, type TickState, withOutcome} from './definition.js'
import {nextFireTime} from './next-fire.js'
import {OperationError} from '../../common/errors.js'
import {cancelTicksIfScheduled, readTicks, supersedes, type Tick, ticksOf, toTick, writeTick} from './store.js'

export type FireEvent =
  | {event: 'started'; queue: string}
  | {event: 'fired'; name: string; outcome: Outcome; next?: string}
  | {event: 'dropped'; name?: string; fireTime?: string; reason: string}
  | {event: 'dead-lettered'; messageId: string; reason: string}

export interface FireContext extends ActionContext {
  queue: string
  receiver: ServiceBusReceiver
  now?: () => number
  emit: (event: FireEvent) => void
}

/** Where the next tick goes after `from`; a schedule with no further fire time has none. */
function nextState(
  definition: CronDefinition,
  from: number,
  base: TickState,
  revision: number,
  history: Outcome[],
  lastDyno?: string,
): TickState | undefined {
  const next = nextFireTime(definition.schedule, new Date(from))
  if (!next) return undefined
  return {fireTime: next.toISOString(), revision, history, lastDyno: lastDyno ?? base.lastDyno}
}

/** Which tick a next tick was written from: its fire time and revision (a stale copy of the same fire time is another tick). */
function firingMark(state: TickState): string {
  return `${state.fireTime}#${state.revision}`
}

const PREDECESSOR_POLL_MS = 250
const PREDECESSOR_WAIT_MS = 3000

/**
 * The other ticks of this one's name. A next tick that came due while the fire before it is
 * still being recorded (a short interval) waits for that record, which replaces it; if the fire
 * before does not end within a few seconds, this tick's lock is left to lapse and it comes back.
 */
async function settledSiblings(context: FireContext, current: Tick): Promise<Tick[]> {
  const name = current.definition?.name as string
  const deadline = Date.now() + PREDECESSOR_WAIT_MS
  for (;;) {
    const siblings = ticksOf(await readTicks(context.client, context.queue), name).filter(
      other => other.sequenceNumber !== current.sequenceNumber,
    )
    const firing = current.tick.firing
    const predecessor = firing === undefined ? undefined : siblings.find(other => firingMark(other.tick) === firing)
    if (!predecessor) return siblings
    if (Date.now() >= deadline) throw new OperationError(`the fire of ${name}@${firing} is still in progress`)
    await new Promise(resolve => setTimeout(resolve, PREDECESSOR_POLL_MS))
  }
}

export async function fireTick(context: FireContext, message: ServiceBusReceivedMessage): Promise<void> {
  const now = context.now ?? Date.now
  const current = toTick(message)
  if (!current.definition) {
    const reason = `not a qjob cron tick: ${current.junk}`
    await context.receiver.deadLetterMessage(message, {deadLetterReason: 'InvalidCronTick', deadLetterErrorDescription: reason})
    context.emit({event: 'dead-lettered', messageId: current.messageId, reason})
    return
  }
  const definition = current.definition
  const {tick} = current
  const siblings = await settledSiblings(context, current)
  const newest = siblings.reduce<Tick | undefined>((best, other) => (supersedes(other, best ?? current) ? other : best), undefined)
  if (newest) {
    const recorded = newest.tick.history.some(outcome => outcome.fireTime === tick.fireTime)
    if (newest.tick.firing === firingMark(tick) && !recorded) {
      const outcome: Outcome = {
        fireTime: tick.fireTime,
        at: new Date(now()).toISOString(),
        status: 'interrupted',
        reason: 'the replica firing it stopped mid-fire; not run again',
      }
      const state: TickState = {
        ...newest.tick,
        firing: undefined,
        revision: newest.tick.revision + 1,
        history: withOutcome(newest.tick.history, outcome),
      }
      await writeTick(
        context.client,
        context.queue,
        newest.definition ?? definition,
        state,
        tickMessageId(definition.name, state.fireTime, state.revision),
      )
      await cancelTicksIfScheduled(context.client, context.queue, [newest])
      await context.receiver.completeMessage(message)
      context.emit({event: 'fired', name: definition.name, outcome, next: state.fireTime})
      return
    }
    await context.receiver.completeMessage(message)
    context.emit({
      event: 'dropped',
      name: definition.name,
      fireTime: tick.fireTime,
      reason:
        newest.tick.revision === tick.revision
          ? 'a duplicate of a tick written by another replica'
          : `stale: revision ${tick.revision} was replaced by ${newest.tick.revision}`,
    })
    return
  }

  if (definition.removed) {
    await context.receiver.completeMessage(message)
    context.emit({event: 'dropped', name: definition.name, fireTime: tick.fireTime, reason: 'removed'})
    return
  }

  const fireAt = Date.parse(tick.fireTime)
  const pickedUp = now()
  const lateMs = Math.max(0, pickedUp - fireAt)
  // The next fire time after this one, so a late fire does not skip the ones after it; but not
  // one already past its starting deadline (after an outage, the next is the first one after now).
  const following = nextFireTime(definition.schedule, new Date(fireAt))
  const after = following && following.getTime() + definition.startingDeadlineMs >= pickedUp ? fireAt : pickedUp
  const outcomeBase = {fireTime: tick.fireTime, lateMs}

  const writeNext = async (history: Outcome[], extra: Partial<TickState> = {}, idRevision?: number): Promise<Tick | undefined> => {
    const state = nextState(definition, after, tick, tick.revision + (idRevision === undefined ? 1 : 2), history, extra.lastDyno)
    if (!state) return undefined
    const full = {...state, ...extra, lastDyno: extra.lastDyno ?? state.lastDyno}
    const sequenceNumber = await writeTick(
      context.client,
      context.queue,
      definition,
      full,
      tickMessageId(definition.name, full.fireTime, idRevision),
    )
    return {sequenceNumber, messageId: '', state: 'scheduled', deliveryCount: 0, definition, tick: full}
  }
  const finish = async (outcome: Outcome | undefined, next: Tick | undefined) => {
    // Recorded in the next tick: from here on, the fire is done even if the lock was lost (this
    // tick then comes back once and is dropped as stale).
    if (outcome) context.emit({event: 'fired', name: definition.name, outcome, next: next?.tick.fireTime})
    else context.emit({event: 'dropped', name: definition.name, fireTime: tick.fireTime, reason: 'paused'})
    await context.receiver.completeMessage(message).catch((error: Error) => {
      context.emit({
        event: 'dropped',
        name: definition.name,
        fireTime: tick.fireTime,
        reason: `recorded, but not completed (${error.message}); it comes back once and is dropped`,
      })
    })
  }

  if (definition.paused) return finish(undefined, await writeNext(tick.history))
  if (lateMs > definition.startingDeadlineMs && !definition.catchUp) {
    const outcome: Outcome = {
      ...outcomeBase,
      at: new Date(pickedUp).toISOString(),
      status: 'missed',
      reason: `picked up ${Math.round(lateMs / 1000)}s late, after the starting deadline`,
    }
    return finish(outcome, await writeNext(withOutcome(tick.history, outcome)))
  }
  let overlap
  try {
    overlap = await checkOverlap(context, definition, tick.lastDyno)
  } catch (error) {
    overlap = {proceed: false as const, reason: `cannot check the previous run ${tick.lastDyno}: ${(error as Error).message}`, failed: true}
  }
  if (!overlap.proceed) {
    const status = 'failed' in overlap ? 'failed' : 'skipped'
    const outcome: Outcome = {...outcomeBase, at: new Date(pickedUp).toISOString(), status, reason: overlap.reason}
    return finish(outcome, await writeNext(withOutcome(tick.history, outcome)))
  }

  const pending = await writeNext(tick.history, {firing: firingMark(tick)})
  const result = await performAction(context, definition, tick.fireTime)
  const outcome: Outcome = {...outcomeBase, at: new Date(pickedUp).toISOString(), ...result}
  let recorded: Tick | undefined
  if (pending) {
    recorded = await writeNext(withOutcome(tick.history, outcome), {lastDyno: result.dyno ?? tick.lastDyno}, pending.tick.revision + 1)
    await cancelTicksIfScheduled(context.client, context.queue, [pending])
  }
  return finish(outcome, recorded)
}
