// Moving a message to its queue's dead-letter sub-queue: the reason and description become
// application properties (DeadLetterReason, DeadLetterErrorDescription), as Azure does it.
import type {StoreRecord} from '../store/message-store.js'
import type {PropertyEditor, PropertyValue, StoredMessage} from './message.js'
import type {Queue} from './queue.js'

export const DEAD_LETTER_REASONS = {
  maxDeliveryCount: 'MaxDeliveryCountExceeded',
  ttlExpired: 'TTLExpiredException',
} as const

export interface DeadLetterOptions {
  reason?: string
  description?: string
  properties?: Record<string, PropertyValue>
}

/** Moves a main-queue message to the DLQ in memory; returns the record to store. */
export function deadLetterMessage(queue: Queue, message: StoredMessage, options: DeadLetterOptions, editor: PropertyEditor): StoreRecord {
  const properties: Record<string, PropertyValue> = {...options.properties}
  if (options.reason !== undefined) properties.DeadLetterReason = options.reason
  if (options.description !== undefined) properties.DeadLetterErrorDescription = options.description
  queue.main.remove(message.sequenceNumber)
  const moved: StoredMessage = {...message, state: 'active', deadLetterSource: queue.name}
  if (Object.keys(properties).length > 0) moved.payload = editor.setApplicationProperties(message.payload, properties)
  queue.deadLetter.insert(moved)
  return {type: 'message-move', queue: queue.name, from: 'main', to: 'deadLetter', message: moved}
}

/** An expired message: dead-lettered when the queue says so, else dropped. */
export function expireMessage(queue: Queue, message: StoredMessage, editor: PropertyEditor): StoreRecord | undefined {
  if (queue.properties.deadLetteringOnMessageExpiration) {
    return deadLetterMessage(queue, message, {
      reason: DEAD_LETTER_REASONS.ttlExpired,
      description: 'The message expired and was dead lettered.',
    }, editor)
  }
  if (!queue.main.remove(message.sequenceNumber)) return undefined
  return {type: 'message-delete', queue: queue.name, subQueue: 'main', sequenceNumber: message.sequenceNumber}
}
