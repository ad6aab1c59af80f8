// Request-response links ($cbs and each entity's $management): the client sends a request with
// `reply-to` naming its receiver link; the answer goes to that link with `correlation-id` set to
// the request's `message-id`.
import type {Delivery, Message} from 'rhea'

import type {EmulatorLogger} from '../logger.js'
import type {ConnectionState} from './connection-state.js'
import {outcomes} from './rhea-types.js'

export function replyTo(
  state: ConnectionState,
  request: Message,
  reply: {application_properties: Record<string, unknown>; body?: unknown},
  logger: EmulatorLogger,
): void {
  const link = typeof request.reply_to === 'string' ? state.replyLinks.get(request.reply_to) : undefined
  if (!link || !link.is_open()) {
    logger.warn(`request-response: no open reply link named '${String(request.reply_to)}'; reply dropped`)
    return
  }
  link.send({correlation_id: request.message_id, application_properties: reply.application_properties, body: reply.body ?? null})
}

/** Accept the request transfer itself (requests are settled at once). */
export function acceptRequest(delivery: Delivery | undefined): void {
  delivery?.update(true, outcomes.accepted())
}
