// The environment a job command sees: the message's fields as QJOB_* variables.
import type {ServiceBusReceivedMessage} from '@azure/service-bus'

/** `order-id` -> `ORDER_ID`: what a shell variable name can hold. */
export function propertyVariable(name: string): string {
  return `QJOB_PROP_${name.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  if (value instanceof Date) return value.toISOString()
  if (Buffer.isBuffer(value)) return value.toString('hex')
  return String(value)
}

export function jobEnvironment(message: ServiceBusReceivedMessage): Record<string, string> {
  const fields: Record<string, unknown> = {
    QJOB_MESSAGE_ID: message.messageId,
    QJOB_SEQUENCE_NUMBER: message.sequenceNumber,
    QJOB_DELIVERY_COUNT: message.deliveryCount,
    QJOB_SUBJECT: message.subject,
    QJOB_CONTENT_TYPE: message.contentType,
    QJOB_CORRELATION_ID: message.correlationId,
    QJOB_SESSION_ID: message.sessionId,
    QJOB_ENQUEUED_TIME: message.enqueuedTimeUtc,
  }
  for (const [name, value] of Object.entries(message.applicationProperties ?? {})) fields[propertyVariable(name)] = value
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(fields)) {
    const shown = text(value)
    if (shown !== undefined) env[name] = shown
  }
  return env
}

/** The body bytes as received (receivers here never JSON-parse bodies). */
export function bodyBytes(message: ServiceBusReceivedMessage): Buffer {
  const {body} = message
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  return Buffer.from(typeof body === 'string' ? body : (JSON.stringify(body) ?? ''), 'utf8')
}
