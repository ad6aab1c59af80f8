// The request-response operations of an entity's $management link (docs/PROTOCOL.md §7), each as the
// SDK's managementClient sends it: the request body's fields in, the reply body out. Field names
// and AMQP types are the service's: long arrays, uuid lock tokens in RFC order, `defered`.
import type {Broker, DispositionStatus} from '../broker/broker.js'
import {BrokerError} from '../broker/broker-error.js'
import type {Delivery} from '../broker/message.js'
import type {AccessRight} from '../broker/queue-properties.js'
import {encodeDelivery, parseIncoming, plainProperties} from './message-codec.js'
import {amqpTypes, type AmqpTyped} from './rhea-types.js'

export interface ManagementRequest {
  /** The entity: `q` or `q/$DeadLetterQueue`. */
  path: string
  body: Record<string, unknown>
}

/** A reply: 200 with a body, or another status (204: peek found nothing). */
export interface ManagementReply {
  statusCode: number
  body?: unknown
}

export interface ManagementOperation {
  rights: AccessRight[]
  handle(broker: Broker, request: ManagementRequest): ManagementReply | Promise<ManagementReply>
}

const AMQP_LONG = 0x81
const AMQP_TIMESTAMP = 0x83
const NO_CONTENT = 204
const RECEIVE_AND_DELETE = 0
const DISPOSITIONS: readonly DispositionStatus[] = ['completed', 'abandoned', 'defered', 'suspended']

const ok = (body?: unknown): ManagementReply => ({statusCode: 200, body})

function typedArray(values: number[], code: number): AmqpTyped {
  // rhea's typings lack Array32; it writes each element with the element constructor `code`.
  const types = amqpTypes as unknown as {Array32(items: number[], code: number): AmqpTyped}
  return types.Array32(values, code)
}

/** A long as rhea decodes it: a number, or 8 big-endian bytes beyond 2^53. */
export function longValue(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value
  if (Buffer.isBuffer(value) && value.length === 8) return Number(value.readBigInt64BE(0))
  if (typeof value === 'bigint') return Number(value)
  throw new BrokerError('BadRequest', `'${field}' must be a long`)
}

function longList(body: Record<string, unknown>, field: string): number[] {
  const value = body[field]
  if (!Array.isArray(value)) throw new BrokerError('BadRequest', `'${field}' must be an array of longs`)
  return value.map(item => longValue(item, field))
}

export function uuidText(value: unknown): string {
  if (typeof value === 'string') return value
  if (Buffer.isBuffer(value) && value.length === 16) {
    const hex = value.toString('hex')
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  }
  throw new BrokerError('BadRequest', 'a lock token must be a uuid')
}

function uuidOf(token: string): AmqpTyped {
  return amqpTypes.wrap_uuid(Buffer.from(token.replace(/-/g, ''), 'hex'))
}

function lockTokens(body: Record<string, unknown>): string[] {
  const value = body['lock-tokens']
  if (!Array.isArray(value)) throw new BrokerError('BadRequest', "'lock-tokens' must be an array of uuids")
  return value.map(uuidText)
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field]
  return value === undefined || value === null ? undefined : String(value)
}

function requiredString(body: Record<string, unknown>, field: string): string {
  const value = optionalString(body, field)
  if (value === undefined) throw new BrokerError('BadRequest', `'${field}' is required`)
  return value
}

function messageEntry(delivery: Delivery): Record<string, unknown> {
  const entry: Record<string, unknown> = {message: encodeDelivery(delivery)}
  if (delivery.lockToken) entry['lock-token'] = uuidOf(delivery.lockToken)
  return entry
}

export const OPERATIONS: Record<string, ManagementOperation> = {
  'com.microsoft:peek-message': {
    rights: ['Listen'],
    handle(broker, {path, body}) {
      const from = longValue(body['from-sequence-number'], 'from-sequence-number')
      const count = Number(body['message-count'] ?? 1)
      const messages = broker.peek(path, from, count, optionalString(body, 'session-id'))
      if (messages.length === 0) return {statusCode: NO_CONTENT}
      const omitBody = body['omit-message-body'] === true
      return ok({messages: messages.map(message => ({message: encodeDelivery({message, entityPath: path}, {omitBody})}))})
    },
  },
  'com.microsoft:schedule-message': {
    rights: ['Send'],
    async handle(broker, {path, body}) {
      const entries = body.messages
      if (!Array.isArray(entries)) throw new BrokerError('BadRequest', "'messages' must be a list")
      const incoming = entries.map(entry => {
        const payload = (entry as Record<string, unknown>)?.message
        if (!Buffer.isBuffer(payload)) throw new BrokerError('BadRequest', "each scheduled message needs a binary 'message'")
        return parseIncoming(payload)
      })
      const sequenceNumbers = await broker.schedule(path, incoming)
      return ok({'sequence-numbers': typedArray(sequenceNumbers, AMQP_LONG)})
    },
  },
  'com.microsoft:cancel-scheduled-message': {
    rights: ['Send'],
    async handle(broker, {path, body}) {
      await broker.cancelScheduled(path, longList(body, 'sequence-numbers'))
      return ok()
    },
  },
  'com.microsoft:renew-lock': {
    rights: ['Listen'],
    handle(broker, {path, body}) {
      const expirations = lockTokens(body).map(token => broker.renewLock(token, path))
      return ok({expirations: typedArray(expirations, AMQP_TIMESTAMP)})
    },
  },
  'com.microsoft:receive-by-sequence-number': {
    rights: ['Listen'],
    async handle(broker, {path, body}) {
      const mode = Number(body['receiver-settle-mode'] ?? 1) === RECEIVE_AND_DELETE ? 'receiveAndDelete' : 'peekLock'
      const deliveries = broker.receiveDeferred(path, longList(body, 'sequence-numbers'), mode, optionalString(body, 'session-id'))
      // Receive-and-delete: the reply goes out once every removal is durable.
      await Promise.all(deliveries.map(delivery => delivery.durable))
      return ok({messages: deliveries.map(messageEntry)})
    },
  },
  'com.microsoft:update-disposition': {
    rights: ['Listen'],
    async handle(broker, {path, body}) {
      const status = requiredString(body, 'disposition-status') as DispositionStatus
      if (!DISPOSITIONS.includes(status)) throw new BrokerError('BadRequest', `unknown disposition-status '${status}'`)
      const properties = body['properties-to-modify']
      await broker.updateDisposition(
        lockTokens(body),
        status,
        {
          deadLetterReason: optionalString(body, 'deadletter-reason'),
          deadLetterDescription: optionalString(body, 'deadletter-description'),
          propertiesToModify: properties && typeof properties === 'object' ? plainProperties(properties) : undefined,
        },
        path,
      )
      return ok()
    },
  },
  'com.microsoft:renew-session-lock': {
    rights: ['Listen'],
    handle(broker, {path, body}) {
      const expiration = broker.renewSessionLock(path, requiredString(body, 'session-id'))
      return ok({expiration: amqpTypes.wrap_timestamp(expiration)})
    },
  },
  'com.microsoft:get-session-state': {
    rights: ['Listen'],
    handle(broker, {path, body}) {
      const state = broker.getSessionState(path, requiredString(body, 'session-id'))
      return ok({'session-state': state ?? null})
    },
  },
  'com.microsoft:set-session-state': {
    rights: ['Listen'],
    async handle(broker, {path, body}) {
      const state = body['session-state']
      if (state !== undefined && state !== null && !Buffer.isBuffer(state))
        throw new BrokerError('BadRequest', "'session-state' must be binary")
      await broker.setSessionState(path, requiredString(body, 'session-id'), state ?? undefined)
      return ok()
    },
  },
}
