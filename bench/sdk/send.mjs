// Plain-SDK baseline: send COUNT messages of SIZE bytes in batches, as a hand-written script would.
import {ServiceBusClient} from '@azure/service-bus'

const [queue, count, size] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])]
const client = new ServiceBusClient(process.env.SERVICEBUS_CONNECTION_STRING)
const sender = client.createSender(queue)
const body = Buffer.alloc(size, 'x')
let batch = await sender.createMessageBatch()
for (let i = 0; i < count; i++) {
  const message = {body}
  if (!batch.tryAddMessage(message)) {
    await sender.sendMessages(batch)
    batch = await sender.createMessageBatch()
    batch.tryAddMessage(message)
  }
}
if (batch.count > 0) await sender.sendMessages(batch)
await client.close()
