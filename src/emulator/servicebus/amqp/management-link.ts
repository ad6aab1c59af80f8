// Requests on an entity's $management link. Part 1 answers renew-lock (the SDK's automatic lock
// renewal calls it); the other operations (peek, schedule, deferral, sessions) arrive with
// issue 5 and are answered "not implemented" meanwhile, a condition the SDK does not retry.
import type {EventContext} from 'rhea'

import type {Broker} from '../broker/broker.js'
import {BrokerError} from '../broker/broker-error.js'
import type {AccessRight} from '../broker/queue-properties.js'
import type {EmulatorLogger} from '../logger.js'
import {connectionState} from './connection-state.js'
import {CONDITIONS} from './error-conditions.js'
import {acceptRequest, replyTo} from './request-reply.js'
import {amqpTypes, type AmqpTyped} from './rhea-types.js'

export interface ManagementDependencies {
  broker: Broker
  logger: EmulatorLogger
}

type Handler = (request: ManagementRequest) => AmqpTyped | undefined

interface ManagementRequest {
  path: string
  body: Record<string, unknown>
}

const OPERATIONS: Record<string, {rights: AccessRight[]; handler: (broker: Broker) => Handler}> = {
  'com.microsoft:renew-lock': {
    rights: ['Listen'],
    handler: broker => request => {
      const tokens = (request.body['lock-tokens'] ?? []) as unknown[]
      const expirations = tokens.map(token => broker.renewLock(uuidText(token)))
      return amqpTypes.wrap_map({expirations: {toRheaTyped: () => timestampArray(expirations)}})
    },
  },
}

function uuidText(value: unknown): string {
  if (typeof value === 'string') return value
  if (Buffer.isBuffer(value) && value.length === 16) {
    const hex = value.toString('hex')
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  }
  throw new BrokerError('BadRequest', 'a lock token must be a uuid')
}

function timestampArray(values: number[]): AmqpTyped {
  const types = amqpTypes as unknown as {Array32(items: number[], code: number): AmqpTyped}
  return types.Array32(values, 0x83)
}

export function handleManagementRequest(context: EventContext, path: string, deps: ManagementDependencies): void {
  const request = context.message!
  acceptRequest(context.delivery)
  const state = connectionState(context.connection)
  const properties = (request.application_properties ?? {}) as Record<string, unknown>
  const operationName = String(properties.operation)
  const respond = (statusCode: number, statusDescription: string, errorCondition?: string, body?: unknown) => {
    const application_properties: Record<string, unknown> = {statusCode, statusDescription}
    if (errorCondition) application_properties.errorCondition = errorCondition
    replyTo(state, request, {application_properties, body}, deps.logger)
  }
  const operation = OPERATIONS[operationName]
  if (!operation) {
    deps.logger.info(`management: '${operationName}' on '${path}' is not implemented yet`)
    respond(501, `The operation '${operationName}' is not supported by the emulator yet.`, CONDITIONS.NotImplemented)
    return
  }
  const decision = state.tokens.authorize(path, operation.rights, deps.broker.now())
  if (!decision.allowed) {
    respond(401, decision.reason, CONDITIONS.Unauthorized)
    return
  }
  try {
    const entityPath = path.replace(/\/\$management$/i, '')
    const body = operation.handler(deps.broker)({path: entityPath, body: (request.body ?? {}) as Record<string, unknown>})
    respond(200, 'OK', undefined, body)
  } catch (error) {
    const code = error instanceof BrokerError ? error.code : 'Internal'
    const status = code === 'MessageLockLost' ? 410 : code === 'BadRequest' ? 400 : code === 'EntityNotFound' ? 404 : 500
    if (!(error instanceof BrokerError)) deps.logger.error(`management '${operationName}': ${(error as Error).message}`)
    respond(status, error instanceof Error ? error.message : String(error), CONDITIONS[code])
  }
}
