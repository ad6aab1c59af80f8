// Plain-SDK baseline: peek every message of a queue, page by page, printing each as JSON (body as
// text, as qjob prints a UTF-8 body).
import {ServiceBusClient} from '@azure/service-bus'

const queue = process.argv[2]
const client = new ServiceBusClient(process.env.SERVICEBUS_CONNECTION_STRING)
const receiver = client.createReceiver(queue)
for (;;) {
  const messages = await receiver.peekMessages(250)
  if (messages.length === 0) break
  for (const message of messages)
    process.stdout.write(`${JSON.stringify({body: String(message.body), sequenceNumber: message.sequenceNumber.toString()})}\n`)
}
await client.close()
