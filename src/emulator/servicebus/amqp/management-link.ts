// Requests on an entity's $management link: authorize the operation (Listen or Send, as the
// service does), run it (management-operations.ts) and reply with `statusCode`,
// `statusDescription` and, on errors, always `errorCondition` (docs/PROTOCOL.md §7).
import type {EventContext} from 'rhea'

import type {Broker} from '../broker/broker.js'
import {BrokerError} from '../broker/broker-error.js'
import type {EmulatorLogger} from '../logger.js'
import {connectionState} from './connection-state.js'
import {amqpErrorOf, CONDITIONS} from './error-conditions.js'
import {OPERATIONS} from './management-operations.js'
import {RULE_OPERATIONS} from './rule-operations.js'
import {acceptRequest, replyTo} from './request-reply.js'

export interface ManagementDependencies {
  broker: Broker
  logger: EmulatorLogger
}

const STATUS_DESCRIPTIONS: Record<number, string> = {200: 'OK', 204: 'No messages available'}

function statusOf(error: unknown): number {
  const code = error instanceof BrokerError ? error.code : 'Internal'
  switch (code) {
    case 'MessageLockLost':
    case 'SessionLockLost':
      return 410
    case 'MessageNotFound':
    case 'EntityNotFound':
      return 404
    case 'Unauthorized':
      return 401
    case 'Timeout':
      return 408
    case 'BadRequest':
    case 'SessionCannotBeLocked':
    case 'MessageSizeExceeded':
    case 'EntityDisabled':
      return 400
    case 'QuotaExceeded':
      return 403
    default:
      return 500
  }
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
  const fail = (error: unknown) => {
    if (!(error instanceof BrokerError)) deps.logger.error(`management '${operationName}' on '${path}': ${(error as Error).message}`)
    const {condition, description} = amqpErrorOf(error)
    respond(statusOf(error), description ?? 'The request failed.', condition)
  }
  const operation = OPERATIONS[operationName] ?? RULE_OPERATIONS[operationName]
  if (!operation) {
    deps.logger.info(`management: '${operationName}' on '${path}' is not supported`)
    respond(501, `The operation '${operationName}' is not supported by the emulator.`, CONDITIONS.NotImplemented)
    return
  }
  const decision = state.tokens.authorize(path, operation.rights, deps.broker.now())
  if (!decision.allowed) {
    respond(401, decision.reason, CONDITIONS.Unauthorized)
    return
  }
  try {
    const entityPath = path.replace(/\/\$management$/i, '')
    const body = (request.body ?? {}) as Record<string, unknown>
    Promise.resolve(operation.handle(deps.broker, {path: entityPath, body})).then(
      reply => respond(reply.statusCode, STATUS_DESCRIPTIONS[reply.statusCode] ?? 'OK', undefined, reply.body),
      fail,
    )
  } catch (error) {
    fail(error)
  }
}
