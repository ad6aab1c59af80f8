// The message JSON of docs/ARCHITECTURE.md: what peek/receive/dlq peek print and `send --ndjson` reads.
// Round trip: what is printed for a message can be sent again with the same body bytes (for text
// and binary bodies; JSON bodies are re-serialised), properties and application properties.
import {isUtf8} from 'node:buffer'

import type {ServiceBusMessage, ServiceBusReceivedMessage} from '@azure/service-bus'

import {UsageError} from '../../common/errors.js'

export interface MessageJson {
  body: unknown
  bodyEncoding?: 'base64'
  bodyType?: 'value' | 'sequence'
  messageId?: string
  /** A 64-bit integer: always a decimal string, the one lossless JSON form (README, JSON contract). */
  sequenceNumber?: string
  enqueuedTime?: string
  contentType?: string
  subject?: string
  correlationId?: string
  sessionId?: string
  replyTo?: string
  replyToSessionId?: string
  to?: string
  timeToLive?: number
  deliveryCount?: number
  state?: 'active' | 'deferred' | 'scheduled'
  scheduledEnqueueTime?: string
  lockedUntil?: string
  deadLetterReason?: string
  deadLetterErrorDescription?: string
  deadLetterSource?: string
  applicationProperties?: Record<string, unknown>
}

/** The SDK's raw AMQP message type (declared in @azure/core-amqp, reached through the SDK). */
export type AmqpAnnotatedMessage = ServiceBusReceivedMessage['_rawAmqpMessage']
export type OutgoingMessage = ServiceBusMessage | AmqpAnnotatedMessage

/** Fields that describe a received message's life; `send --ndjson` accepts and ignores them. */
const RECEIVED_ONLY = new Set([
  'sequenceNumber',
  'enqueuedTime',
  'deliveryCount',
  'state',
  'lockedUntil',
  'deadLetterReason',
  'deadLetterErrorDescription',
  'deadLetterSource',
  'size',
])
const SENDABLE = new Set([
  'body',
  'bodyEncoding',
  'bodyType',
  'messageId',
  'contentType',
  'subject',
  'correlationId',
  'sessionId',
  'replyTo',
  'replyToSessionId',
  'to',
  'timeToLive',
  'scheduledEnqueueTime',
  'applicationProperties',
])
/** Dead-letter bookkeeping the service adds to application properties; dropped on resubmit. */
const DEAD_LETTER_PROPERTIES = new Set(['DeadLetterReason', 'DeadLetterErrorDescription'])

/** Body bytes -> JSON value: parsed JSON, else UTF-8 text, else base64. */
/** The first characters of a JSON value other than a string. */
const JSON_START = new Set('{[-0123456789tfn')

export function decodeBody(bytes: Uint8Array): Pick<MessageJson, 'body' | 'bodyEncoding'> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (!isUtf8(buffer)) return {body: buffer.toString('base64'), bodyEncoding: 'base64'}
  const text = buffer.toString('utf8')
  const trimmed = text.trim()
  // A JSON string literal stays text, quotes included, so that it is sent back byte for byte. Text
  // that cannot start a JSON value is not handed to JSON.parse (a throw per message is slow).
  if (trimmed === '' || !JSON_START.has(trimmed[0])) return {body: text}
  try {
    const parsed: unknown = JSON.parse(text)
    if (typeof parsed === 'number' && String(parsed) !== trimmed) return {body: text}
    return {body: parsed}
  } catch {
    return {body: text}
  }
}

/** JSON value -> body bytes: text as UTF-8, base64 decoded, anything else as JSON text. */
export function encodeBody(body: unknown, bodyEncoding?: string): Buffer {
  if (bodyEncoding === 'base64') {
    if (typeof body !== 'string') throw new UsageError('a base64 body must be a string')
    return Buffer.from(body, 'base64')
  }
  if (typeof body === 'string') return Buffer.from(body, 'utf8')
  return Buffer.from(JSON.stringify(body) ?? 'null', 'utf8')
}

function iso(value: Date | undefined): string | undefined {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString() : undefined
}

function idText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  return Buffer.isBuffer(value) ? value.toString('hex') : String(value)
}

function sequenceValue(value: {toString(): string} | undefined): string | undefined {
  return value === undefined ? undefined : value.toString()
}

function plainProperties(properties: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!properties || Object.keys(properties).length === 0) return undefined
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(properties)) {
    out[key] = value instanceof Date ? value.toISOString() : typeof value === 'bigint' ? value.toString() : value
  }
  return out
}

/** A received message (receiver created with skipParsingBodyAsJson) -> message JSON. */
export function toMessageJson(message: ServiceBusReceivedMessage): MessageJson {
  const bodyType = message._rawAmqpMessage?.bodyType ?? 'data'
  const body = bodyType === 'data' && message.body instanceof Uint8Array ? decodeBody(message.body) : {body: message.body}
  // Only the fields a message has, in this order (deleting the undefined ones afterwards made
  // every object a slow dictionary).
  const json: MessageJson = body.body === undefined ? ({} as MessageJson) : {...body}
  const set = <K extends keyof MessageJson>(key: K, value: MessageJson[K]) => {
    if (value !== undefined) json[key] = value
  }
  set('bodyType', bodyType === 'data' ? undefined : bodyType)
  set('messageId', idText(message.messageId))
  set('sequenceNumber', sequenceValue(message.sequenceNumber))
  set('enqueuedTime', iso(message.enqueuedTimeUtc))
  set('contentType', message.contentType)
  set('subject', message.subject)
  set('correlationId', idText(message.correlationId))
  set('sessionId', message.sessionId)
  set('replyTo', message.replyTo)
  set('replyToSessionId', message.replyToSessionId)
  set('to', message.to)
  set('timeToLive', message.timeToLive)
  set('deliveryCount', message.deliveryCount)
  set('state', message.state)
  set('scheduledEnqueueTime', iso(message.scheduledEnqueueTimeUtc))
  set('lockedUntil', iso(message.lockedUntilUtc))
  set('deadLetterReason', message.deadLetterReason)
  set('deadLetterErrorDescription', message.deadLetterErrorDescription)
  set('deadLetterSource', message.deadLetterSource)
  set('applicationProperties', plainProperties(message.applicationProperties))
  return json
}

/** Body size in bytes as the body is stored (for tables). */
export function bodySize(message: ServiceBusReceivedMessage): number {
  const {body} = message
  if (body instanceof Uint8Array) return body.byteLength
  return Buffer.byteLength(JSON.stringify(body) ?? '')
}

function optionalString(object: Record<string, unknown>, key: string, where: string): string | undefined {
  const value = object[key]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw new UsageError(`${where}: "${key}" must be a string`)
  return value
}

/** A parsed `send --ndjson` line -> a message to send. `where` names the line in errors. */
export function fromMessageJson(input: unknown, where: string): OutgoingMessage {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new UsageError(`${where}: expected a JSON object`)
  const object = input as Record<string, unknown>
  for (const key of Object.keys(object)) {
    if (!SENDABLE.has(key) && !RECEIVED_ONLY.has(key)) {
      throw new UsageError(`${where}: unknown field "${key}"`, {hint: `Message fields: ${[...SENDABLE].join(', ')}.`})
    }
  }
  if (!('body' in object)) throw new UsageError(`${where}: "body" is missing`)
  const ttl = object.timeToLive
  if (ttl !== undefined && (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0)) {
    throw new UsageError(`${where}: "timeToLive" must be a positive number of milliseconds`)
  }
  const properties = object.applicationProperties
  if (properties !== undefined && (typeof properties !== 'object' || properties === null || Array.isArray(properties))) {
    throw new UsageError(`${where}: "applicationProperties" must be an object`)
  }
  const scheduled = optionalString(object, 'scheduledEnqueueTime', where)
  const scheduledDate = scheduled === undefined ? undefined : new Date(scheduled)
  if (scheduledDate && Number.isNaN(scheduledDate.getTime())) throw new UsageError(`${where}: "scheduledEnqueueTime" is not a date`)
  const fields = {
    messageId: optionalString(object, 'messageId', where),
    contentType: optionalString(object, 'contentType', where),
    subject: optionalString(object, 'subject', where),
    correlationId: optionalString(object, 'correlationId', where),
    sessionId: optionalString(object, 'sessionId', where),
    replyTo: optionalString(object, 'replyTo', where),
    replyToSessionId: optionalString(object, 'replyToSessionId', where),
    to: optionalString(object, 'to', where),
    timeToLive: ttl as number | undefined,
    applicationProperties: properties as ServiceBusMessage['applicationProperties'],
    scheduledEnqueueTimeUtc: scheduledDate,
  }
  const bodyType = object.bodyType
  if (bodyType === 'value' || bodyType === 'sequence') return annotated(object.body, bodyType, fields)
  if (bodyType !== undefined) throw new UsageError(`${where}: "bodyType" must be "value" or "sequence" when given`)
  const bodyEncoding = optionalString(object, 'bodyEncoding', where)
  if (bodyEncoding !== undefined && bodyEncoding !== 'base64') throw new UsageError(`${where}: "bodyEncoding" must be "base64" when given`)
  return withoutUndefined({body: encodeBody(object.body, bodyEncoding), ...fields})
}

type MessageFields = Omit<ServiceBusMessage, 'body'>

/** AMQP value and sequence bodies need the annotated form; the SDK's own mapping does the rest. */
function annotated(body: unknown, bodyType: 'value' | 'sequence', fields: MessageFields): AmqpAnnotatedMessage {
  return {
    body,
    bodyType,
    header: fields.timeToLive === undefined ? undefined : {timeToLive: fields.timeToLive},
    properties: withoutUndefined({
      messageId: fields.messageId,
      contentType: fields.contentType,
      subject: fields.subject,
      correlationId: fields.correlationId,
      groupId: fields.sessionId,
      replyTo: fields.replyTo,
      replyToGroupId: fields.replyToSessionId,
      to: fields.to,
    }),
    applicationProperties: fields.applicationProperties,
    messageAnnotations: fields.scheduledEnqueueTimeUtc ? {'x-opt-scheduled-enqueue-time': fields.scheduledEnqueueTimeUtc} : undefined,
  }
}

/** A copy of a received (dead-lettered) message to send again: same body bytes and properties. */
export function copyForResend(message: ServiceBusReceivedMessage): OutgoingMessage {
  const applicationProperties = Object.fromEntries(
    Object.entries(message.applicationProperties ?? {}).filter(([key]) => !DEAD_LETTER_PROPERTIES.has(key)),
  ) as ServiceBusMessage['applicationProperties']
  const fields: MessageFields = {
    messageId: message.messageId,
    contentType: message.contentType,
    subject: message.subject,
    correlationId: message.correlationId,
    sessionId: message.sessionId,
    replyTo: message.replyTo,
    replyToSessionId: message.replyToSessionId,
    to: message.to,
    timeToLive: message.timeToLive,
    applicationProperties,
  }
  const bodyType = message._rawAmqpMessage?.bodyType ?? 'data'
  if (bodyType === 'value' || bodyType === 'sequence') return annotated(message.body, bodyType, fields)
  return withoutUndefined({body: message.body, ...fields})
}

function withoutUndefined<T extends object>(object: T): T {
  for (const key of Object.keys(object) as Array<keyof T>) if (object[key] === undefined) delete object[key]
  return object
}
