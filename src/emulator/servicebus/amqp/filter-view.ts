// What a subscription rule sees of a stored message (broker/rules/sql-eval.ts FilterMessage):
// its AMQP properties as Service Bus system properties, its application properties as plain
// values; and the payload with its application and system properties replaced (rule actions).
import type {MessageInspector} from '../broker/topic.js'
import type {StoredMessage} from '../broker/message.js'
import type {FilterMessage, SqlValue} from '../broker/rules/sql-eval.js'
import {SECTION, splitSections} from './message-sections.js'
import {setSystemProperties} from './message-codec.js'
import {amqpTypes, decodeTyped, encodeTyped, type AmqpTyped} from './rhea-types.js'

function plain(value: unknown): SqlValue {
  if (value === null || value === undefined) return null
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value
  if (value instanceof Date) return value.getTime()
  if (typeof value === 'bigint') return Number(value)
  if (Buffer.isBuffer(value)) {
    if (value.length === 8) return Number(value.readBigInt64BE(0))
    if (value.length === 16) {
      const hex = value.toString('hex')
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
    }
    return value.toString('hex')
  }
  return String(value)
}

function unwrapped(item: AmqpTyped | undefined): SqlValue {
  if (!item) return null
  return plain(amqpTypes.unwrap(item))
}

/** Application properties as plain values (the order they were sent in). */
export function applicationPropertiesOf(payload: Buffer): Record<string, SqlValue> {
  const span = splitSections(payload).find(section => section.code === SECTION.applicationProperties)
  const result: Record<string, SqlValue> = {}
  if (!span) return result
  const map = decodeTyped(payload.subarray(span.start, span.end)).value as AmqpTyped[]
  for (let i = 0; i + 1 < map.length; i += 2) result[String(map[i].value)] = unwrapped(map[i + 1])
  return result
}

function wrapValue(value: SqlValue): AmqpTyped {
  if (typeof value === 'number' && Number.isInteger(value)) {
    return value >= -2_147_483_648 && value <= 2_147_483_647 ? amqpTypes.wrap_int(value) : amqpTypes.wrap_long(value)
  }
  return amqpTypes.wrap(value ?? null)
}

export const messageInspector: MessageInspector = {
  filterView(message: StoredMessage): FilterMessage {
    const {payload} = message
    const sections = splitSections(payload)
    const system = new Map<string, SqlValue>()
    const propertiesSpan = sections.find(section => section.code === SECTION.properties)
    if (propertiesSpan) {
      const fields = decodeTyped(payload.subarray(propertiesSpan.start, propertiesSpan.end)).value as AmqpTyped[]
      const names: Array<[number, string]> = [
        [0, 'messageid'],
        [2, 'to'],
        [3, 'label'],
        [4, 'replyto'],
        [5, 'correlationid'],
        [6, 'contenttype'],
        [10, 'sessionid'],
        [12, 'replytosessionid'],
      ]
      for (const [index, name] of names) {
        const value = unwrapped(fields[index])
        if (value !== null) system.set(name, value)
      }
    }
    system.set('messageid', message.messageId)
    system.set('sequencenumber', message.sequenceNumber)
    system.set('enqueuedtimeutc', message.enqueuedTimeUtc)
    system.set('deliverycount', message.deliveryCount)
    system.set('size', payload.length)
    if (message.timeToLiveMs !== undefined) system.set('timetolive', message.timeToLiveMs)
    if (message.scheduledEnqueueTimeUtc !== undefined) system.set('scheduledenqueuetimeutc', message.scheduledEnqueueTimeUtc)
    if (message.partitionKey !== undefined) system.set('partitionkey', message.partitionKey)
    if (message.expiresAtUtc !== undefined) system.set('expiresatutc', message.expiresAtUtc)
    return {system, user: applicationPropertiesOf(payload)}
  },

  replaceSystemProperties: setSystemProperties,

  replaceApplicationProperties(payload: Buffer, properties: Record<string, SqlValue>): Buffer {
    const sections = splitSections(payload)
    const existing = sections.find(section => section.code === SECTION.applicationProperties)
    const items: AmqpTyped[] = []
    for (const [key, value] of Object.entries(properties)) items.push(amqpTypes.wrap_string(key), wrapValue(value))
    const section = encodeTyped(amqpTypes.described(amqpTypes.wrap_ulong(SECTION.applicationProperties), amqpTypes.Map32(items)))
    if (existing) return Buffer.concat([payload.subarray(0, existing.start), section, payload.subarray(existing.end)])
    const insertAt = sections.find(span => span.code > SECTION.applicationProperties)?.start ?? payload.length
    return Buffer.concat([payload.subarray(0, insertAt), section, payload.subarray(insertAt)])
  },
}
