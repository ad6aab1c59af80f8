// The baseline for bench/emulator.mjs: the smallest AMQP server the unmodified SDK accepts. It
// answers $cbs put-token with 202, advertises max-message-size, and accepts every transfer at once:
// no auth check, no parsing, no storage. Sending to it measures the SDK client's own cost.
import {once} from 'node:events'

import rhea from 'rhea'

import {acceptLinks} from './sink-links.mjs'

export async function startNullSink() {
  const container = rhea.create_container({id: 'null-sink'})
  const replyLinks = acceptLinks(container, 256 * 1024)
  let accepted = 0
  container.on('message', context => {
    if (context.receiver.target?.address === '$cbs') {
      replyLinks.get(context.message.reply_to)?.send({
        correlation_id: context.message.message_id,
        application_properties: {'status-code': 202, 'status-description': 'Accepted'},
      })
    } else {
      accepted++
    }
  })
  container.on('error', () => {})
  const server = container.listen({port: 0, host: '127.0.0.1'})
  await once(server, 'listening')
  const port = server.address().port
  return {
    port,
    connectionString: `Endpoint=sb://127.0.0.1:${port};SharedAccessKeyName=any;SharedAccessKey=any-key-0123456789;UseDevelopmentEmulator=true`,
    accepted: () => accepted,
    close: () => new Promise(resolve => server.close(resolve)),
  }
}
