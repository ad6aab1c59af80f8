// Receivers for a queue, its dead-letter sub-queue, or a session. Bodies are never JSON-parsed by
// the SDK here: qjob decodes the raw bytes itself (message-json.ts) so nothing is lost.
import type {ServiceBusClient, ServiceBusReceiver} from '@azure/service-bus'

export interface ReceiverTarget {
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
  if (target.sessionId !== undefined) return client.acceptSession(target.queue, target.sessionId, options)
  if (target.nextSession) return client.acceptNextSession(target.queue, options)
  return client.createReceiver(target.queue, {...options, maxAutoLockRenewalDurationInMs: 0})
}
