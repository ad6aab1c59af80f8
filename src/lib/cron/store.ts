// The control queue is the scheduler's only database: one scheduled tick message per schedule.
// Reading it is a peek of the whole queue (scheduled, active and locked ticks alike); writing is
// scheduling a new tick and cancelling the ones it replaces.
import type {ServiceBusClient, ServiceBusReceivedMessage, ServiceBusReceiver, ServiceBusSender} from '@azure/service-bus'

import type {ManagementBackend} from '../management/types.js'
import {peekAll} from '../servicebus/peek.js'
import {openReceiver} from '../servicebus/receivers.js'
import {type CronDefinition, parseDefinition, PROPERTY, readState, stateProperties, type TickState} from './definition.js'

/** Long enough for two replicas racing after a lock expiry to write one next tick. */
export const CONTROL_DUPLICATE_WINDOW_MS = 24 * 3_600_000
export const CONTROL_LOCK_DURATION_MS = 30_000

export interface Tick {
  sequenceNumber: string
  messageId: string
  /** scheduled: waiting for its time; active: due (maybe locked by a replica firing it). */
  state: 'scheduled' | 'active' | 'deferred'
  scheduledAt?: Date
  deliveryCount: number
  definition?: CronDefinition
  /** Why the body is not a schedule (junk in the control queue). */
  junk?: string
  tick: TickState
}

export function toTick(message: ServiceBusReceivedMessage): Tick {
  const parsed = parseDefinition(message.body)
  const name = message.applicationProperties?.[PROPERTY.name]
  return {
    sequenceNumber: String(message.sequenceNumber ?? ''),
    messageId: String(message.messageId ?? ''),
    state: (message.state ?? 'active') as Tick['state'],
    scheduledAt: message.scheduledEnqueueTimeUtc,
    deliveryCount: message.deliveryCount ?? 0,
    ...('definition' in parsed && (name === undefined || name === parsed.definition.name)
      ? {definition: parsed.definition}
      : {junk: 'reason' in parsed ? parsed.reason : 'the name property does not match the body'}),
    tick: readState(message.applicationProperties as Record<string, unknown> | undefined),
  }
}

/** Creates the control queue (with duplicate detection) unless it exists. */
export async function ensureControlQueue(backend: ManagementBackend, queue: string): Promise<void> {
  if (await backend.queueExists(queue)) return
  try {
    await backend.createQueue(queue, {
      duplicateDetectionWindowMs: CONTROL_DUPLICATE_WINDOW_MS,
      lockDurationMs: CONTROL_LOCK_DURATION_MS,
      maxDeliveryCount: 100,
    })
  } catch (error) {
    // Another replica created it a moment ago.
    if (!(await backend.queueExists(queue))) throw error
  }
}

// One peek receiver and one sender per client and control queue, kept open: a fire reads and
// writes the queue several times, and a link attach per call would make every fire later.
// They close with the client.
const links = new WeakMap<ServiceBusClient, Map<string, {receiver?: Promise<ServiceBusReceiver>; sender?: ServiceBusSender}>>()

function linksOf(client: ServiceBusClient, queue: string) {
  let byQueue = links.get(client)
  if (!byQueue) links.set(client, (byQueue = new Map()))
  let entry = byQueue.get(queue)
  if (!entry) byQueue.set(queue, (entry = {}))
  return entry
}

function peekReceiver(client: ServiceBusClient, queue: string): Promise<ServiceBusReceiver> {
  const entry = linksOf(client, queue)
  entry.receiver ??= openReceiver(client, {queue})
  return entry.receiver
}

function controlSender(client: ServiceBusClient, queue: string): ServiceBusSender {
  const entry = linksOf(client, queue)
  entry.sender ??= client.createSender(queue)
  return entry.sender
}

export async function readTicks(client: ServiceBusClient, queue: string): Promise<Tick[]> {
  const receiver = await peekReceiver(client, queue)
  const ticks: Tick[] = []
  for await (const message of peekAll(receiver, {limit: Infinity})) ticks.push(toTick(message))
  return ticks
}

/**
 * Does `a` supersede `b`? The higher revision does; of two ticks with the same revision (two
 * replicas wrote the same next tick and the broker kept both), the first one written does.
 */
export function supersedes(a: Tick, b: Tick): boolean {
  if (a.tick.revision !== b.tick.revision) return a.tick.revision > b.tick.revision
  // A scheduled message gets a new sequence number when it comes due, so a peek that pages over
  // that moment sees it twice: the due copy is the real one.
  if (a.state !== b.state && (a.state === 'scheduled' || b.state === 'scheduled')) return b.state === 'scheduled'
  return a.sequenceNumber !== '' && b.sequenceNumber !== '' && BigInt(a.sequenceNumber) < BigInt(b.sequenceNumber)
}

/** Per name, the tick that supersedes the others: the schedule's live state. */
export function liveTicks(ticks: readonly Tick[]): Map<string, Tick> {
  const live = new Map<string, Tick>()
  for (const tick of ticks) {
    const name = tick.definition?.name
    if (name === undefined) continue
    const current = live.get(name)
    if (!current || supersedes(tick, current)) live.set(name, tick)
  }
  for (const [name, tick] of live) if (tick.definition?.removed) live.delete(name)
  return new Map([...live.entries()].sort(([a], [b]) => a.localeCompare(b)))
}

export function ticksOf(ticks: readonly Tick[], name: string): Tick[] {
  return ticks.filter(tick => tick.definition?.name === name)
}

export async function writeTick(
  client: ServiceBusClient,
  queue: string,
  definition: CronDefinition,
  state: TickState,
  messageId: string,
): Promise<string> {
  const message = {
    body: Buffer.from(JSON.stringify(definition)),
    contentType: 'application/json',
    messageId,
    subject: definition.name,
    applicationProperties: stateProperties(definition.name, state),
  }
  const [sequenceNumber] = await controlSender(client, queue).scheduleMessages(message, new Date(state.fireTime))
  return sequenceNumber.toString()
}

/** Cancels the scheduled ones of these ticks (a due or locked tick cannot be cancelled: it is dropped as stale when it fires). */
export async function cancelTicks(client: ServiceBusClient, queue: string, ticks: readonly Tick[]): Promise<void> {
  const scheduled = ticks.filter(tick => tick.state === 'scheduled').map(tick => tick.sequenceNumber)
  if (scheduled.length === 0) return
  const {default: Long} = await import('long')
  await controlSender(client, queue).cancelScheduledMessages(scheduled.map(text => Long.fromString(text)))
}

/** Cancels what is still scheduled; one that came due meanwhile is dropped as stale when it fires. */
export async function cancelTicksIfScheduled(client: ServiceBusClient, queue: string, ticks: readonly Tick[]): Promise<void> {
  for (const tick of ticks) {
    try {
      await cancelTicks(client, queue, [tick])
    } catch (error) {
      if ((error as {code?: string}).code !== 'MessageNotFound' && !/not found/i.test((error as Error).message)) throw error
    }
  }
}
