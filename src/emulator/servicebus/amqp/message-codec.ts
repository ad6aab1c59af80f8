// Between AMQP messages and the broker: what the broker needs to know about an incoming message,
// the batch envelope, and the message a receiver gets (the sections as sent, plus a fresh header
// and the broker's x-opt-* annotations).
import {randomUUID} from 'node:crypto'

import {MESSAGE_STATE_CODES, type Delivery, type IncomingMessage, type PropertyEditor, type PropertyValue} from '../broker/message.js'
import {amqpMessage, amqpTypes, decodeTyped, encodeTyped, type AmqpTyped} from './rhea-types.js'
import {dataSectionContent, elementBounds, MalformedMessageError, SECTION, splitSections, type SectionSpan} from './message-sections.js'

/** Annotations the broker sets on delivery (a client's own values for them are replaced). */
const BROKER_ANNOTATIONS = new Set([
  'x-opt-sequence-number',
  'x-opt-enqueued-time',
  'x-opt-locked-until',
  'x-opt-message-state',
  'x-opt-deadletter-source',
  'x-opt-enqueue-sequence-number',
  'x-opt-lock-token',
])

function messageIdText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  if (Buffer.isBuffer(value)) return value.length === 16 ? uuidText(value) : value.toString('hex')
  return String(value)
}

function uuidText(bytes: Buffer): string {
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

function timeValue(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime()
  if (typeof value === 'number') return value
  return undefined
}

/**
 * Reads what the broker needs from one encoded message. A message without a message-id gets one
 * (every delivery needs it, or the SDK cannot settle it), written into its properties section.
 */
export function parseIncoming(payload: Buffer): IncomingMessage {
  const sections = splitSections(payload)
  // Only the fields the broker needs are decoded, each on its own (decoding whole sections cost
  // ~4 µs a message of durable ingest); the sections themselves are kept as sent.
  const header = elementsOf(payload, sections, SECTION.header)
  const properties = elementsOf(payload, sections, SECTION.properties)
  const annotations = elementsOf(payload, sections, SECTION.messageAnnotations)
  const incoming: IncomingMessage = {payload, messageId: messageIdText(elementAt(payload, properties, 0)?.value)}
  const groupId = elementAt(payload, properties, 10)?.value
  if (typeof groupId === 'string') incoming.sessionId = groupId
  const ttl = elementAt(payload, header, 2)?.value
  if (typeof ttl === 'number' && ttl > 0) incoming.timeToLiveMs = ttl
  for (let i = 0; annotations && i + 2 < annotations.length; i += 2) {
    const key = elementAt(payload, annotations, i)!.value
    if (key === 'x-opt-partition-key') {
      const value = elementAt(payload, annotations, i + 1)!.value
      if (typeof value === 'string') incoming.partitionKey = value
    }
    if (key === 'x-opt-scheduled-enqueue-time') {
      const scheduled = timeValue(amqpTypes.unwrap(elementAt(payload, annotations, i + 1)!))
      if (scheduled !== undefined) incoming.scheduledEnqueueTimeUtc = scheduled
    }
  }
  // Last: the bounds above are offsets in the payload as sent.
  if (incoming.messageId === undefined) {
    incoming.messageId = randomUUID()
    incoming.payload = withMessageId(payload, sections, incoming.messageId)
  }
  return incoming
}

/** The element bounds (message-sections.ts elementBounds) of the section with this code, if there is one. */
function elementsOf(payload: Buffer, sections: SectionSpan[], code: number): number[] | undefined {
  for (const section of sections) if (section.code === code) return elementBounds(payload, section)
  return undefined
}

/** Element `index` of a section's list or map, decoded on its own. */
function elementAt(payload: Buffer, bounds: number[] | undefined, index: number): AmqpTyped | undefined {
  return bounds && index + 1 < bounds.length ? decodeTyped(payload.subarray(bounds[index], bounds[index + 1])) : undefined
}

function withMessageId(payload: Buffer, sections: SectionSpan[], messageId: string): Buffer {
  return withPropertyFields(payload, sections, [[0, amqpTypes.wrap_string(messageId)]])
}

/** Replaces fields of the AMQP properties section by index (creating it if absent); the other sections stay byte for byte. */
function withPropertyFields(payload: Buffer, sections: SectionSpan[], fields: Array<[number, AmqpTyped]>): Buffer {
  const existing = sections.find(section => section.code === SECTION.properties)
  const items = existing ? [...(decodeTyped(payload.subarray(existing.start, existing.end)).value as AmqpTyped[])] : []
  for (const [index, value] of fields) {
    while (items.length < index) items.push(amqpTypes.wrap(null))
    items[index] = value
  }
  const section = encodeTyped(amqpTypes.described(amqpTypes.wrap_ulong(SECTION.properties), amqpTypes.List32(items)))
  if (existing) return Buffer.concat([payload.subarray(0, existing.start), section, payload.subarray(existing.end)])
  const insertAt = sections.find(section => section.code > SECTION.properties)?.start ?? payload.length
  return Buffer.concat([payload.subarray(0, insertAt), section, payload.subarray(insertAt)])
}

/** Where the system properties a rule action can set live in the properties section (content-type is a symbol). */
const SYSTEM_PROPERTY_FIELDS: Record<string, number> = {
  messageid: 0,
  to: 2,
  label: 3,
  replyto: 4,
  correlationid: 5,
  contenttype: 6,
  sessionid: 10,
  replytosessionid: 12,
}

/** System properties that travel as message annotations (the SDK's partitionKey and viaPartitionKey). */
const SYSTEM_PROPERTY_ANNOTATIONS: Record<string, string> = {
  partitionkey: 'x-opt-partition-key',
  viapartitionkey: 'x-opt-via-partition-key',
}

/** The payload with these annotations set (a string) or removed (null) in its message-annotations section. */
function withAnnotations(payload: Buffer, sections: SectionSpan[], changes: Array<[string, string | null]>): Buffer {
  const existing = sections.find(section => section.code === SECTION.messageAnnotations)
  const map = existing ? (decodeTyped(payload.subarray(existing.start, existing.end)).value as AmqpTyped[]) : []
  const changed = new Set(changes.map(([key]) => key))
  const items: AmqpTyped[] = []
  for (let i = 0; i + 1 < map.length; i += 2) if (!changed.has(String(map[i].value))) items.push(map[i], map[i + 1])
  for (const [key, value] of changes) if (value !== null) items.push(amqpTypes.wrap_symbol(key), amqpTypes.wrap_string(value))
  const section = encodeTyped(amqpTypes.described(amqpTypes.wrap_ulong(SECTION.messageAnnotations), amqpTypes.Map32(items)))
  if (existing) return Buffer.concat([payload.subarray(0, existing.start), section, payload.subarray(existing.end)])
  const insertAt = sections.find(span => span.code > SECTION.messageAnnotations)?.start ?? payload.length
  return Buffer.concat([payload.subarray(0, insertAt), section, payload.subarray(insertAt)])
}

/**
 * Sets system properties (lower-cased names, as rule actions give them; null clears) in the
 * payload's properties section, or its annotations for the partition keys: what
 * `SET sys.Label = 'x'` does to a subscription's copy.
 */
export function setSystemProperties(payload: Buffer, changes: ReadonlyMap<string, string | null>): Buffer {
  const fields: Array<[number, AmqpTyped]> = []
  const annotations: Array<[string, string | null]> = []
  for (const [name, value] of changes) {
    if (SYSTEM_PROPERTY_ANNOTATIONS[name]) {
      annotations.push([SYSTEM_PROPERTY_ANNOTATIONS[name], value])
      continue
    }
    const index = SYSTEM_PROPERTY_FIELDS[name]
    if (index === undefined) throw new Error(`sys.${name} is not in the AMQP properties section`)
    fields.push([
      index,
      value === null ? amqpTypes.wrap(null) : name === 'contenttype' ? amqpTypes.wrap_symbol(value) : amqpTypes.wrap_string(value),
    ])
  }
  let result = annotations.length === 0 ? payload : withAnnotations(payload, splitSections(payload), annotations)
  if (fields.length > 0) result = withPropertyFields(result, splitSections(result), fields)
  return result
}

/**
 * The messages inside the SDK's batch envelope (format 0x80013700): one per data section. The SDK
 * sends an empty batch as an envelope without data sections; that enqueues nothing.
 */
export function unpackBatch(envelope: Buffer): Buffer[] {
  const sections = splitSections(envelope)
  return sections.filter(section => section.code === SECTION.data).map(section => dataSectionContent(envelope, section))
}

const BODY_SECTIONS = new Set<number>([SECTION.data, SECTION.sequence, SECTION.value])

/** The bytes a receiver gets for a delivery; `omitBody` (peek's omit-message-body) leaves the body out. */
export function encodeDelivery(delivery: Delivery, options: {omitBody?: boolean} = {}): Buffer {
  const {message} = delivery
  const payload = message.payload
  const sections = splitSections(payload)
  const headerSpan = sections.find(section => section.code === SECTION.header)
  const header = headerSpan ? (amqpMessage.decode(payload.subarray(headerSpan.start, headerSpan.end)) as Record<string, unknown>) : {}
  const headerSection = amqpMessage
    .header({
      durable: header.durable ?? true,
      priority: header.priority,
      ttl: header.ttl,
      // Kept as the sender set it (absent: false), like durable, priority and ttl; only the count is the broker's.
      first_acquirer: header.first_acquirer,
      delivery_count: message.deliveryCount,
    })
    .described()

  const annotationSpan = sections.find(section => section.code === SECTION.messageAnnotations)
  const items: AmqpTyped[] = []
  if (annotationSpan) {
    const map = decodeTyped(payload.subarray(annotationSpan.start, annotationSpan.end)).value as AmqpTyped[]
    for (let i = 0; i + 1 < map.length; i += 2) {
      if (!BROKER_ANNOTATIONS.has(String(map[i].value))) items.push(map[i], map[i + 1])
    }
  }
  const add = (key: string, value: AmqpTyped) => items.push(amqpTypes.wrap_symbol(key), value)
  add('x-opt-sequence-number', amqpTypes.wrap_long(message.sequenceNumber))
  add('x-opt-enqueued-time', amqpTypes.wrap_timestamp(message.enqueuedTimeUtc))
  if (delivery.lockedUntilUtc !== undefined) add('x-opt-locked-until', amqpTypes.wrap_timestamp(delivery.lockedUntilUtc))
  if (message.state !== 'active') add('x-opt-message-state', amqpTypes.wrap_int(MESSAGE_STATE_CODES[message.state]))
  if (message.deadLetterSource !== undefined) add('x-opt-deadletter-source', amqpTypes.wrap_string(message.deadLetterSource))
  const annotations = amqpTypes.described(amqpTypes.wrap_ulong(SECTION.messageAnnotations), amqpTypes.Map32(items))

  const parts = [encodeTyped(headerSection, annotations)]
  for (const section of sections) {
    if (section.code >= SECTION.properties && !(options.omitBody && BODY_SECTIONS.has(section.code)))
      parts.push(payload.subarray(section.start, section.end))
  }
  return Buffer.concat(parts)
}

function wrapProperty(value: PropertyValue): AmqpTyped {
  if (typeof value === 'number' && Number.isInteger(value)) {
    return value >= -2_147_483_648 && value <= 2_147_483_647 ? amqpTypes.wrap_int(value) : amqpTypes.wrap_long(value)
  }
  return amqpTypes.wrap(value)
}

/** Sets application properties inside a payload; the other sections stay byte for byte. */
export const propertyEditor: PropertyEditor = {
  setApplicationProperties(payload: Buffer, properties: Record<string, PropertyValue>): Buffer {
    const sections = splitSections(payload)
    const existing = sections.find(section => section.code === SECTION.applicationProperties)
    const items: AmqpTyped[] = []
    if (existing) {
      const map = decodeTyped(payload.subarray(existing.start, existing.end)).value as AmqpTyped[]
      for (let i = 0; i + 1 < map.length; i += 2) {
        if (!Object.hasOwn(properties, String(map[i].value))) items.push(map[i], map[i + 1])
      }
    }
    for (const [key, value] of Object.entries(properties)) items.push(amqpTypes.wrap_string(key), wrapProperty(value))
    const section = encodeTyped(amqpTypes.described(amqpTypes.wrap_ulong(SECTION.applicationProperties), amqpTypes.Map32(items)))
    if (existing) return Buffer.concat([payload.subarray(0, existing.start), section, payload.subarray(existing.end)])
    const insertAt = sections.find(span => span.code > SECTION.applicationProperties)?.start ?? payload.length
    return Buffer.concat([payload.subarray(0, insertAt), section, payload.subarray(insertAt)])
  },
}

/** Reads the typed values of a settlement's annotations or error info into plain values. */
export function plainProperties(value: unknown): Record<string, PropertyValue> {
  if (!value || typeof value !== 'object') return {}
  const result: Record<string, PropertyValue> = {}
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (item === null || item instanceof Date || ['string', 'number', 'boolean'].includes(typeof item)) result[key] = item as PropertyValue
    else if (Buffer.isBuffer(item) && item.length === 8) result[key] = Number(item.readBigInt64BE(0))
    else if (item !== undefined) result[key] = String(item)
  }
  return result
}

/** A lock token as a delivery tag: the 16 bytes of .NET's Guid.ToByteArray() (SB PROTOCOL §5). */
export function lockTokenToTag(token: string): Buffer {
  const bytes = Buffer.from(token.replace(/-/g, ''), 'hex')
  return Buffer.from([bytes[3], bytes[2], bytes[1], bytes[0], bytes[5], bytes[4], bytes[7], bytes[6], ...bytes.subarray(8)])
}

export function tagToLockToken(tag: Buffer): string | undefined {
  if (!Buffer.isBuffer(tag) || tag.length !== 16) return undefined
  return uuidText(Buffer.from([tag[3], tag[2], tag[1], tag[0], tag[5], tag[4], tag[7], tag[6], ...tag.subarray(8)]))
}

export {MalformedMessageError}
