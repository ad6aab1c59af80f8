// A message as the broker keeps it. The AMQP payload is opaque to the broker: it is the bare
// message exactly as the client sent it (application properties edited by settlements through a
// PropertyEditor), and the AMQP adapter adds the broker's annotations when it delivers it.

export type MessageState = 'active' | 'deferred' | 'scheduled'

export const MESSAGE_STATE_CODES: Record<MessageState, number> = {active: 0, deferred: 1, scheduled: 2}

export interface StoredMessage {
  sequenceNumber: number
  enqueuedTimeUtc: number
  /** Absent: never expires. */
  expiresAtUtc?: number
  timeToLiveMs?: number
  deliveryCount: number
  state: MessageState
  scheduledEnqueueTimeUtc?: number
  messageId: string
  sessionId?: string
  partitionKey?: string
  /** Set on dead-lettered messages: the queue they came from. */
  deadLetterSource?: string
  /**
   * The AMQP bare message (header, annotations, properties, application properties, body, footer).
   * On a QueuedMessage (store/queued-message.ts) a getter that may read the body back from the
   * durable log: copy a message with copyMessage, never with a spread (which drops the body).
   */
  payload: Buffer
}

/** What a sender hands the broker: the payload and what the broker needs to know about it. */
export interface IncomingMessage {
  payload: Buffer
  messageId?: string
  sessionId?: string
  partitionKey?: string
  timeToLiveMs?: number
  scheduledEnqueueTimeUtc?: number
}

export type PropertyValue = string | number | boolean | Date | null

/** Edits application properties inside an opaque payload (implemented by the AMQP codec). */
export interface PropertyEditor {
  setApplicationProperties(payload: Buffer, properties: Record<string, PropertyValue>): Buffer
}

/** A message handed to a consumer: the stored message plus its lock when peek-locked. */
export interface Delivery {
  message: StoredMessage
  entityPath: string
  lockToken?: string
  lockedUntilUtc?: number
  /**
   * Receive-and-delete: resolves once the message's removal is durable; only then may it leave
   * (at most once). Rejects when the removal failed: the message stays in the queue.
   */
  durable?: Promise<void>
}
