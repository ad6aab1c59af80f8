// Plain-SDK baseline: receive COUNT messages in peek-lock, print each as JSON (body as text),
// then complete it, waiting for each round trip.
import {ServiceBusClient} from '@azure/service-bus'

const [queue, count] = [process.argv[2], Number(process.argv[3])]
const client = new ServiceBusClient(process.env.SERVICEBUS_CONNECTION_STRING)
const receiver = client.createReceiver(queue)
let received = 0
while (received < count) {
  const messages = await receiver.receiveMessages(Math.min(100, count - received), {maxWaitTimeInMs: 5000})
  if (messages.length === 0) break
  for (const message of messages) {
    process.stdout.write(`${JSON.stringify({body: String(message.body), sequenceNumber: message.sequenceNumber.toString()})}\n`)
    await receiver.completeMessage(message)
    received++
  }
}
await client.close()
