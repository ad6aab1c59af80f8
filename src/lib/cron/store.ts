// The control queue is the scheduler's only database: one scheduled tick message per schedule.
// Reading it is a peek of the whole queue (scheduled, active and locked ticks alike); writing is
// scheduling a new tick and cancelling the ones it replaces.
import type {ServiceBusClient, ServiceBusReceivedMessage} from '@azure/service-bus'

import type {ManagementBackend} from '../management/types.js'
import {peekAll} from '../servicebus/peek.js'
import {openReceiver} from '../servicebus/receivers.js'
import {cancelScheduled} from '../servicebus/schedule.js'
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
    ...('definition' in parsed && (name === undefined || name === parsed.definition.name) ? {definition: parsed.definition} : {junk: 'reason' in parsed ? parsed.reason : 'the name property does not match the body'}),
    tick: readState(message.applicationProperties as Record<string, unknown> | undefined),
  }
}

/** Creates the control queue (with duplicate detection) unless it exists. */
export async function ensureControlQueue(backend: ManagementBackend, queue: string): Promise<void> {
  if (await backend.queueExists(queue)) return
  try {
    await backend.createQueue(queue, {duplicateDetectionWindowMs: CONTROL_DUPLICATE_WINDOW_MS, lockDurationMs: CONTROL_LOCK_DURATION_MS, maxDeliveryCount: 100})
  } catch (error) {
    // Another replica created it a moment ago.
    if (!(await backend.queueExists(queue))) throw error
  }
}

export async function readTicks(client: ServiceBusClient, queue: string): Promise<Tick[]> {
  const receiver = await openReceiver(client, {queue})
  try {
    const ticks: Tick[] = []
    for await (const message of peekAll(receiver, {limit: Infinity})) ticks.push(toTick(message))
    return ticks
  } finally {
    await receiver.close()
  }
}

/** Per name, the tick with the highest revision: the schedule's live state. */
export function liveTicks(ticks: readonly Tick[]): Map<string, Tick> {
  const live = new Map<string, Tick>()
  for (const tick of ticks) {
    const name = tick.definition?.name
    if (name === undefined) continue
    const current = live.get(name)
    if (!current || tick.tick.revision > current.tick.revision) live.set(name, tick)
  }
  return new Map([...live.entries()].sort(([a], [b]) => a.localeCompare(b)))
}

export function ticksOf(ticks: readonly Tick[], name: string): Tick[] {
  return ticks.filter(tick => tick.definition?.name === name)
}

export async function writeTick(client: ServiceBusClient, queue: string, definition: CronDefinition, state: TickState, messageId: string): Promise<string> {
  const sender = client.createSender(queue)
  try {
    const message = {
      body: Buffer.from(JSON.stringify(definition)),
      contentType: 'application/json',
      messageId,
      subject: definition.name,
      applicationProperties: stateProperties(definition.name, state),
    }
    const [sequenceNumber] = await sender.scheduleMessages(message, new Date(state.fireTime))
    return sequenceNumber.toString()
  } finally {
    await sender.close()
  }
}

/** Cancels the scheduled ones of these ticks (a due or locked tick cannot be cancelled: it is dropped as stale when it fires). */
export async function cancelTicks(client: ServiceBusClient, queue: string, ticks: readonly Tick[]): Promise<void> {
  const scheduled = ticks.filter(tick => tick.state === 'scheduled').map(tick => tick.sequenceNumber)
  if (scheduled.length > 0) await cancelScheduled(client, queue, scheduled)
}
