// `qjob cron run` and `qjob cron tick`: receive due ticks from the control queue and fire them.
// Any number of replicas may run: a tick is locked by one receiver at a time (fire.ts does the rest).
import type {ServiceBusClient, ServiceBusReceivedMessage, ServiceBusReceiver} from '@azure/service-bus'

import type {ActionContext} from './actions.js'
import {fireTick, type FireEvent} from './fire.js'
import {readTicks} from './store.js'
import {openReceiver} from '../servicebus/receivers.js'
import {withOrderedSettlements} from '../servicebus/settlement-order.js'

export interface SchedulerOptions extends ActionContext {
  queue: string
  emit: (event: FireEvent | {event: 'error'; message: string}) => void
  signal?: AbortSignal
  /** Ticks fired at once by this replica. */
  concurrency?: number
  /** Exit once no tick is due within this many ms (and nothing is being fired). */
  exitWhenIdleMs?: number
}

/** Renews the lock at half its duration while a tick is fired (a long action keeps its tick; a killed replica does not). */
function keepLocked(receiver: ServiceBusReceiver, message: ServiceBusReceivedMessage): () => void {
  let timer: NodeJS.Timeout | undefined
  const schedule = () => {
    const remaining = (message.lockedUntilUtc?.getTime() ?? Date.now()) - Date.now()
    timer = setTimeout(
      () => {
        receiver.renewMessageLock(message).then(schedule, () => undefined)
      },
      Math.max(500, remaining / 2),
    )
  }
  schedule()
  return () => clearTimeout(timer)
}

async function handle(options: SchedulerOptions, receiver: ServiceBusReceiver, message: ServiceBusReceivedMessage): Promise<void> {
  const release = keepLocked(receiver, message)
  try {
    await fireTick({...options, receiver}, message)
  } catch (error) {
    // The lock is left to expire: this tick is tried again (by any replica) after the lock duration.
    options.emit({event: 'error', message: `tick ${message.messageId}: ${(error as Error).message}`})
  } finally {
    release()
  }
}

/** The time until the earliest scheduled tick (Infinity when there is none). */
async function msUntilNextTick(client: ServiceBusClient, queue: string, now = Date.now()): Promise<number> {
  const ticks = await readTicks(client, queue)
  if (ticks.some(tick => tick.state === 'active')) return 0
  const times = ticks.filter(tick => tick.state === 'scheduled' && tick.scheduledAt).map(tick => (tick.scheduledAt as Date).getTime() - now)
  return times.length === 0 ? Infinity : Math.max(0, Math.min(...times))
}

/** The scheduler loop: messages are pushed as they come due; runs until the signal aborts (or idle). */
export async function runScheduler(options: SchedulerOptions): Promise<void> {
  // Opens the peek and send links before the first tick is due (the first fire is not later).
  await readTicks(options.client, options.queue)
  // Ticks are fired side by side: their completes and dead-letters must not share a disposition frame.
  const receiver = withOrderedSettlements(await openReceiver(options.client, {queue: options.queue}))
  let inFlight = 0
  const done = new AbortController()
  const stop = () => done.abort()
  options.signal?.addEventListener('abort', stop, {once: true})
  const subscription = receiver.subscribe(
    {
      processMessage: async message => {
        inFlight++
        try {
          await handle(options, receiver, message)
        } finally {
          inFlight--
        }
      },
      processError: async args => {
        options.emit({event: 'error', message: `receiving from ${options.queue}: ${args.error.message}`})
      },
    },
    {autoCompleteMessages: false, maxConcurrentCalls: options.concurrency ?? 4},
  )
  options.emit({event: 'started', queue: options.queue})
  let idleTimer: NodeJS.Timeout | undefined
  if (options.exitWhenIdleMs !== undefined) {
    const idleMs = options.exitWhenIdleMs
    const check = async () => {
      try {
        if (inFlight === 0 && (await msUntilNextTick(options.client, options.queue)) > idleMs && inFlight === 0) return stop()
      } catch (error) {
        options.emit({event: 'error', message: (error as Error).message})
      }
      if (!done.signal.aborted) idleTimer = setTimeout(check, 1000)
    }
    idleTimer = setTimeout(check, 1000)
  }
  try {
    if (!done.signal.aborted) await new Promise(resolve => done.signal.addEventListener('abort', resolve, {once: true}))
  } finally {
    clearTimeout(idleTimer)
    options.signal?.removeEventListener('abort', stop)
    await subscription.close()
    // Ticks being fired finish before the receiver closes (their completion needs it).
    while (inFlight > 0) await new Promise(resolve => setTimeout(resolve, 50))
    await receiver.close()
  }
}

/** Fires every tick that is due now, then returns (for a CI cron job). */
export async function tickOnce(options: SchedulerOptions): Promise<number> {
  // Ticks are fired side by side: their completes and dead-letters must not share a disposition frame.
  const receiver = withOrderedSettlements(await openReceiver(options.client, {queue: options.queue}))
  const startedAt = Date.now()
  let fired = 0
  try {
    for (;;) {
      const messages = await receiver.receiveMessages(options.concurrency ?? 4, {maxWaitTimeInMs: 1500})
      // A tick that came due after the start is the next run's (a short --every would never end).
      const due = messages.filter(message => (message.scheduledEnqueueTimeUtc?.getTime() ?? 0) <= startedAt)
      await Promise.all(messages.filter(message => !due.includes(message)).map(message => receiver.abandonMessage(message)))
      await Promise.all(due.map(message => handle(options, receiver, message)))
      fired += due.length
      if (due.length === 0) return fired
    }
  } finally {
    await receiver.close()
  }
}
