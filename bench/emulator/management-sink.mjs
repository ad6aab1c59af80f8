// The baseline for bench/emulator-scheduling.mjs: the smallest AMQP server that answers the SDK's
// $cbs put-token and the $management requests the bench makes, without storing anything.
// schedule-message gets consecutive sequence numbers back; peek-message gets canned messages
// (encoded once) up to `peekable`. Talking to it measures the SDK client's own cost.
import {once} from 'node:events'

import rhea from 'rhea'

import {acceptLinks} from './sink-links.mjs'

const {types, message: amqpMessage} = rhea

export async function startManagementSink({peekable = 0, bodyBytes = 100} = {}) {
  const container = rhea.create_container({id: 'management-sink'})
  const replyLinks = acceptLinks(container, 1024 * 1024)
  let nextSequence = 1
  const canned = Array.from({length: peekable}, (_, i) =>
    amqpMessage.encode({
      message_id: `m-${i}`,
      body: types.wrap_binary(Buffer.alloc(bodyBytes, 0x61)),
      message_annotations: {'x-opt-sequence-number': types.wrap_long(i + 1), 'x-opt-enqueued-time': types.wrap_timestamp(Date.now())},
    }),
  )
  container.on('message', context => {
    const request = context.message
    const reply = (properties, body) =>
      replyLinks.get(request.reply_to)?.send({correlation_id: request.message_id, application_properties: properties, body})
    if (context.receiver.target?.address === '$cbs') {
      reply({'status-code': 202, 'status-description': 'Accepted'})
      return
    }
    const operation = request.application_properties?.operation
    if (operation === 'com.microsoft:schedule-message') {
      const numbers = request.body.messages.map(() => nextSequence++)
      reply({statusCode: 200}, {'sequence-numbers': types.Array32(numbers, 0x81)})
    } else if (operation === 'com.microsoft:peek-message') {
      const from = Number(request.body['from-sequence-number'])
      const page = canned.slice(from - 1, from - 1 + Number(request.body['message-count']))
      if (page.length === 0) reply({statusCode: 204})
      else reply({statusCode: 200}, {messages: page.map(message => ({message}))})
    } else {
      reply({statusCode: 501, errorCondition: 'amqp:not-implemented'})
    }
  })
  container.on('error', () => {})
  const server = container.listen({port: 0, host: '127.0.0.1'})
  await once(server, 'listening')
  const port = server.address().port
  return {
    port,
    connectionString: `Endpoint=sb://127.0.0.1:${port};SharedAccessKeyName=any;SharedAccessKey=any-key-0123456789;UseDevelopmentEmulator=true`,
    close: () => new Promise(resolve => server.close(resolve)),
  }
}
