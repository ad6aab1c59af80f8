// Plain-SDK baseline for `qjob queue purge`: receive-and-delete in batches of 500 until a receive
// comes back empty.
// Usage: node bench/sdk/purge.mjs QUEUE
import {ServiceBusClient} from '@azure/service-bus'

const queue = process.argv[2]
const client = new ServiceBusClient(process.env.SERVICEBUS_CONNECTION_STRING)
const receiver = client.createReceiver(queue, {receiveMode: 'receiveAndDelete'})
let removed = 0
for (;;) {
  const messages = await receiver.receiveMessages(500, {maxWaitTimeInMs: removed === 0 ? 2000 : 500})
  if (messages.length === 0) break
  removed += messages.length
}
await client.close()
process.stderr.write(`${JSON.stringify({removed})}\n`)
