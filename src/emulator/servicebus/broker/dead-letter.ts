// Moving a message to its queue's dead-letter sub-queue: the reason and description become
// application properties (DeadLetterReason, DeadLetterErrorDescription), as Azure does it.
import type {StoreRecord} from '../store/message-store.js'
import type {PropertyEditor, PropertyValue, StoredMessage} from './message.js'
import type {Queue} from './queue.js'
import {copyMessage} from '../store/queued-message.js'

export const DEAD_LETTER_REASONS = {
  maxDeliveryCount: 'MaxDeliveryCountExceeded',
  ttlExpired: 'TTLExpiredException',
} as const

export interface DeadLetterOptions {
  reason?: string
  description?: string
  properties?: Record<string, PropertyValue>
}

/** The record that moves a main-queue message to the DLQ, and the moved message; nothing changes in memory yet. */
export function deadLetterRecord(
  queue: Queue,
  message: StoredMessage,
  options: DeadLetterOptions,
  editor: PropertyEditor,
): {record: StoreRecord; moved: StoredMessage} {
  const properties: Record<string, PropertyValue> = {...options.properties}
  if (options.reason !== undefined) properties.DeadLetterReason = options.reason
  if (options.description !== undefined) properties.DeadLetterErrorDescription = options.description
  const moved = copyMessage(message, {state: 'active', deadLetterSource: queue.name})
  if (Object.keys(properties).length > 0) moved.payload = editor.setApplicationProperties(message.payload, properties)
  return {record: {type: 'message-move', queue: queue.name, from: 'main', to: 'deadLetter', message: moved}, moved}
}

/** Applies a dead-lettering in memory (after its record is durable, for a client's settlement). */
export function applyDeadLetter(queue: Queue, sequenceNumber: number, moved: StoredMessage): void {
  queue.main.remove(sequenceNumber)
  queue.deadLetter.insert(moved)
}

/** Moves a main-queue message to the DLQ in memory; returns the record to store. */
export function deadLetterMessage(queue: Queue, message: StoredMessage, options: DeadLetterOptions, editor: PropertyEditor): StoreRecord {
  const {record, moved} = deadLetterRecord(queue, message, options, editor)
  applyDeadLetter(queue, message.sequenceNumber, moved)
  return record
}

/** An expired message: dead-lettered when the queue says so, else dropped. */
export function expireMessage(queue: Queue, message: StoredMessage, editor: PropertyEditor): StoreRecord | undefined {
  if (queue.properties.deadLetteringOnMessageExpiration) {
    return deadLetterMessage(
      queue,
      message,
      {
        reason: DEAD_LETTER_REASONS.ttlExpired,
        description: 'The message expired and was dead lettered.',
      },
      editor,
    )
  }
  if (!queue.main.remove(message.sequenceNumber)) return undefined
  return {type: 'message-delete', queue: queue.name, subQueue: 'main', sequenceNumber: message.sequenceNumber}
}
