// A MessageInspector for brokers built without the AMQP codec (unit tests): rules see the
// system properties the broker itself knows and no application properties.
import type {StoredMessage} from '../message.js'
import type {MessageInspector} from '../topic.js'
import type {SqlValue} from './sql-eval.js'

export const systemOnlyInspector: MessageInspector = {
  filterView(message: StoredMessage) {
    const system = new Map<string, SqlValue>([
      ['messageid', message.messageId],
      ['sequencenumber', message.sequenceNumber],
      ['enqueuedtimeutc', message.enqueuedTimeUtc],
      ['deliverycount', message.deliveryCount],
      ['size', message.payload.length],
    ])
    if (message.sessionId !== undefined) system.set('sessionid', message.sessionId)
    return {system, user: {}}
  },
  replaceApplicationProperties: payload => payload,
  replaceSystemProperties: payload => payload,
}
