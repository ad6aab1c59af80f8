// Receivers for a queue, its dead-letter sub-queue, or a session. Bodies are never JSON-parsed by
// the SDK here: qjob decodes the raw bytes itself (message-json.ts) so nothing is lost.
import type {ServiceBusClient, ServiceBusReceiver} from '@azure/service-bus'

import {splitEntityPath} from './entity.js'

export interface ReceiverTarget {
  /** A queue, or a subscription as `TOPIC/Subscriptions/SUB` (entity.ts). */
  queue: string
  deadLetter?: boolean
  mode?: 'peekLock' | 'receiveAndDelete'
  sessionId?: string
  /** Accept the next available session (for queues that require sessions). */
  nextSession?: boolean
}

export async function openReceiver(client: ServiceBusClient, target: ReceiverTarget): Promise<ServiceBusReceiver> {
  const options = {
    receiveMode: target.mode ?? 'peekLock',
    skipParsingBodyAsJson: true,
    subQueueType: target.deadLetter ? ('deadLetter' as const) : undefined,
  }
  const {name, subscription} = splitEntityPath(target.queue)
  if (subscription !== undefined) {
    if (target.sessionId !== undefined) return client.acceptSession(name, subscription, target.sessionId, options)
    if (target.nextSession) return client.acceptNextSession(name, subscription, options)
    return client.createReceiver(name, subscription, {...options, maxAutoLockRenewalDurationInMs: 0})
  }
  if (target.sessionId !== undefined) return client.acceptSession(name, target.sessionId, options)
  if (target.nextSession) return client.acceptNextSession(name, options)
  return client.createReceiver(name, {...options, maxAutoLockRenewalDurationInMs: 0})
}
