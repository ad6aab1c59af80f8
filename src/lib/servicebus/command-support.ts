// What the messaging commands share between flags and the library: the queue, the connection and
// the fields of a message built from flags.
import type {Settings} from '../config.js'
import {parseDuration} from '../../common/duration.js'
import type {MessageFields} from './message-input.js'
import {parseProperties} from './properties.js'
import {type ConnectionFlags, type ConnectionTarget, resolveConnection} from './connection.js'
import {type EntityFlags, entityPathFromFlags} from './entity.js'

export interface QueueCommandContext {
  /** The entity path: a queue, a topic (send side) or `TOPIC/Subscriptions/SUB` (receive side). */
  queue: string
  /** Set when `queue` names a topic (send side). */
  topic?: boolean
  target: ConnectionTarget
  timeoutSeconds?: number
}

export function queueContext(
  settings: Settings,
  flags: ConnectionFlags & EntityFlags,
  side: 'send' | 'receive' = 'receive',
): QueueCommandContext {
  const entity = entityPathFromFlags(flags, side)
  const queue = settings.require(
    'queue',
    entity,
    'Pass -q QUEUE (or --topic T, --subscription S), set QUEUE_NAME, or run "qjob config set queue NAME".',
  )
  return {
    queue,
    topic: flags.topic !== undefined && side === 'send',
    target: resolveConnection(settings, flags),
    timeoutSeconds: flags.timeout,
  }
}

export interface MessageFlagValues {
  'content-type'?: string
  subject?: string
  'message-id'?: string
  'correlation-id'?: string
  'session-id'?: string
  'reply-to'?: string
  property?: string[]
  ttl?: string
}

export function messageFieldsFromFlags(flags: MessageFlagValues): MessageFields {
  const properties = parseProperties(flags.property)
  return {
    contentType: flags['content-type'],
    subject: flags.subject,
    messageId: flags['message-id'],
    correlationId: flags['correlation-id'],
    sessionId: flags['session-id'],
    replyTo: flags['reply-to'],
    timeToLive: flags.ttl === undefined ? undefined : parseDuration(flags.ttl, 'time to live'),
    applicationProperties: Object.keys(properties).length > 0 ? properties : undefined,
  }
}
