// Emptying a queue or a subscription (or its dead-letter sub-queue) from a management command:
// check the entity exists through the management backend, take the backend's data-plane
// connection (ARM lists the namespace keys), then remove the messages in batches.
import type {Settings} from '../config.js'
import {resolveConnection, withClient} from '../servicebus/connection.js'
import {purgeMessages} from '../servicebus/dead-letter.js'
import {splitEntityPath} from '../servicebus/entity.js'
import {type ManagementFlags, withBackend} from './backend.js'

export interface PurgeRequest {
  /** A queue, or `TOPIC/Subscriptions/SUB`. */
  entityPath: string
  deadLetter: boolean
  timeoutSeconds?: number
  onProgress?: (removed: number) => void
}

export async function purgeEntity(settings: Settings, flags: ManagementFlags, request: PurgeRequest): Promise<number> {
  const {name, subscription} = splitEntityPath(request.entityPath)
  const connectionString = await withBackend(settings, flags, async backend => {
    if (subscription === undefined) await backend.getQueue(name)
    else await backend.topics.getSubscription(name, subscription)
    return backend.dataConnectionString()
  })
  const target = connectionString
    ? {kind: 'connection-string' as const, connectionString, endpoint: /Endpoint=([^;]+)/i.exec(connectionString)?.[1] ?? ''}
    : resolveConnection(settings, flags)
  return withClient(target, {queue: request.entityPath, timeoutSeconds: request.timeoutSeconds}, client =>
    purgeMessages(client, request.entityPath, {deadLetter: request.deadLetter, onProgress: request.onProgress}),
  )
}
