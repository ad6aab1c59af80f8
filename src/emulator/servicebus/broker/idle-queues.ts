// AutoDeleteOnIdle for queues, topics and subscriptions: an entity idle for its autoDeleteOnIdle
// interval is deleted. "Idle" as the Service Bus docs define it (message-expiration, "Idleness"):
// - queue: no sends, no receives (an open receiver counts as receiving), no updates, no scheduled
//   messages, no browse/peek;
// - subscription: no receives, no updates, no new rules, no browse/peek (copies arriving from the
//   topic are not the subscription's activity);
// - topic: no sends, no updates, no scheduled messages, no activity of its subscriptions (as above).
// A queue or subscription that auto-forwards (ForwardTo) is never idle: the docs count that as a
// receiver. The last send, receive and peek are the entity's accessedAt; the last update its
// properties' updatedAt.
import {TIMESPAN_MAX_MS} from '../constants.js'
import type {EmulatorLogger} from '../logger.js'
import type {Broker} from './broker.js'
import type {Queue} from './queue.js'
import {SubscriptionQueue, TopicQueue} from './topic.js'

/** How often the emulator looks for idle entities; Azure's minimum interval is 5 minutes. */
export const IDLE_CHECK_INTERVAL_MS = 10_000

function busy(queue: Queue): boolean {
  if (queue.main.scheduledCount > 0 || queue.main.consumers.length > 0 || queue.deadLetter.consumers.length > 0) return true
  if (queue.properties.forwardTo) return true
  return queue instanceof TopicQueue && [...queue.subscriptions.values()].some(busy)
}

/** The last activity that counts against idleness. */
function lastActivity(queue: Queue): number {
  let at = Math.max(queue.accessedAt, queue.properties.updatedAt)
  if (queue instanceof SubscriptionQueue) for (const rule of queue.rules.values()) at = Math.max(at, rule.properties.createdAt)
  if (queue instanceof TopicQueue) for (const subscription of queue.subscriptions.values()) at = Math.max(at, lastActivity(subscription))
  return at
}

function idleInterval(queue: Queue): number {
  if (queue instanceof TopicQueue) return queue.topic.autoDeleteOnIdleMs
  if (queue instanceof SubscriptionQueue) return queue.subscription.autoDeleteOnIdleMs
  return queue.properties.autoDeleteOnIdleMs ?? TIMESPAN_MAX_MS
}

/**
 * When the entity's idle interval runs out, or undefined if it never auto-deletes or is in use.
 * `notBefore`: activity the entity does not record, i.e. the emulator's start (accessedAt is not
 * stored, so an entity busy until a restart must not look idle since its last update).
 */
export function idleDeadline(queue: Queue, notBefore = 0): number | undefined {
  const interval = idleInterval(queue)
  if (interval >= TIMESPAN_MAX_MS || busy(queue)) return undefined
  return Math.max(lastActivity(queue), notBefore) + interval
}

/**
 * Deletes every queue, subscription and topic idle past its interval at the broker's now()
 * (subscriptions before their topic); resolves with their names (a subscription by its path).
 */
export async function deleteIdleEntities(broker: Broker, logger?: EmulatorLogger, notBefore = 0): Promise<string[]> {
  const now = broker.now()
  const due = (queue: Queue) => {
    const deadline = idleDeadline(queue, notBefore)
    return deadline !== undefined && deadline <= now
  }
  const deleted: string[] = []
  for (const queue of [...broker.queues.values()].filter(due)) {
    if (broker.getQueue(queue.name) === undefined) continue
    await broker.deleteQueue(queue.name)
    logger?.info(`queue '${queue.name}' deleted after being idle for its autoDeleteOnIdle interval`)
    deleted.push(queue.name)
  }
  for (const topic of [...broker.topics.topics.values()]) {
    for (const subscription of [...topic.subscriptions.values()].filter(due)) {
      const {topicName, subscriptionName} = subscription.subscription
      if (broker.topics.getSubscription(topicName, subscriptionName) === undefined) continue
      await broker.topics.deleteSubscription(topicName, subscriptionName)
      logger?.info(`subscription '${subscription.path}' deleted after being idle for its autoDeleteOnIdle interval`)
      deleted.push(subscription.path)
    }
    if (!due(topic) || broker.topics.get(topic.name) === undefined) continue
    await broker.topics.delete(topic.name)
    logger?.info(`topic '${topic.name}' deleted after being idle for its autoDeleteOnIdle interval`)
    deleted.push(topic.name)
  }
  return deleted
}

/** Checks every IDLE_CHECK_INTERVAL_MS; the timer never keeps the process alive. */
export function startIdleReaper(broker: Broker, logger: EmulatorLogger, intervalMs = IDLE_CHECK_INTERVAL_MS): {stop(): void} {
  let running = false
  const startedAt = broker.now()
  const timer = setInterval(() => {
    if (running) return
    running = true
    deleteIdleEntities(broker, logger, startedAt)
      .catch(error => logger.error(`auto-delete on idle failed: ${(error as Error).message}`))
      .finally(() => {
        running = false
      })
  }, intervalMs)
  timer.unref()
  return {stop: () => clearInterval(timer)}
}
