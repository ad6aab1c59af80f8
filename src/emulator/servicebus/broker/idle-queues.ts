// AutoDeleteOnIdle for queues: a queue idle for its autoDeleteOnIdle interval is deleted. "Idle"
// as the Service Bus docs define it for a queue: no sends, no receives (an open receiver counts
// as receiving), no updates to the queue, no scheduled messages, no browse/peek. The last send,
// receive and peek are the queue's accessedAt; the last update its properties' updatedAt.
import {TIMESPAN_MAX_MS} from '../constants.js'
import type {EmulatorLogger} from '../logger.js'
import type {Broker} from './broker.js'
import type {Queue} from './queue.js'

/** How often the emulator looks for idle queues; Azure's minimum interval is 5 minutes. */
export const IDLE_CHECK_INTERVAL_MS = 10_000

function busy(queue: Queue): boolean {
  return queue.main.scheduledCount > 0 || queue.main.consumers.length > 0 || queue.deadLetter.consumers.length > 0
}

/**
 * When the queue's idle interval runs out, or undefined if it never auto-deletes or is in use.
 * `notBefore`: activity the queue does not record, i.e. the emulator's start (accessedAt is not
 * stored, so a queue busy until a restart must not look idle since its last update).
 */
export function idleDeadline(queue: Queue, notBefore = 0): number | undefined {
  const interval = queue.properties.autoDeleteOnIdleMs ?? TIMESPAN_MAX_MS
  if (interval >= TIMESPAN_MAX_MS || busy(queue)) return undefined
  return Math.max(queue.accessedAt, queue.properties.updatedAt, notBefore) + interval
}

/** Deletes every queue idle past its interval at the broker's now(); resolves with their names. */
export async function deleteIdleQueues(broker: Broker, logger?: EmulatorLogger, notBefore = 0): Promise<string[]> {
  const now = broker.now()
  const due = [...broker.queues.values()].filter(queue => {
    const deadline = idleDeadline(queue, notBefore)
    return deadline !== undefined && deadline <= now
  })
  const deleted: string[] = []
  for (const queue of due) {
    if (broker.getQueue(queue.name) === undefined) continue
    await broker.deleteQueue(queue.name)
    logger?.info(`queue '${queue.name}' deleted after being idle for its autoDeleteOnIdle interval`)
    deleted.push(queue.name)
  }
  return deleted
}

/** Checks every IDLE_CHECK_INTERVAL_MS; the timer never keeps the process alive. */
export function startIdleQueueReaper(broker: Broker, logger: EmulatorLogger, intervalMs = IDLE_CHECK_INTERVAL_MS): {stop(): void} {
  let running = false
  const startedAt = broker.now()
  const timer = setInterval(() => {
    if (running) return
    running = true
    deleteIdleQueues(broker, logger, startedAt)
      .catch(error => logger.error(`auto-delete on idle failed: ${(error as Error).message}`))
      .finally(() => {
        running = false
      })
  }, intervalMs)
  timer.unref()
  return {stop: () => clearInterval(timer)}
}
