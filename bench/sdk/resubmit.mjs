// Plain-SDK baseline for `qjob dlq resubmit --all`: receive the dead letters in peek-lock batches of
// 100, send copies of a batch to the queue in one call, then complete the batch (copy first, so a
// crash may duplicate but never lose), until the dead-letter queue is empty.
// Usage: node bench/sdk/resubmit.mjs QUEUE
import {ServiceBusClient} from '@azure/service-bus'

const queue = process.argv[2]
const client = new ServiceBusClient(process.env.SERVICEBUS_CONNECTION_STRING)
const receiver = client.createReceiver(queue, {subQueueType: 'deadLetter'})
const sender = client.createSender(queue)
let moved = 0
for (;;) {
  const messages = await receiver.receiveMessages(100, {maxWaitTimeInMs: moved === 0 ? 5000 : 1000})
  if (messages.length === 0) break
  await sender.sendMessages(
    messages.map(message => ({
      body: message.body,
      messageId: message.messageId,
      contentType: message.contentType,
      subject: message.subject,
      correlationId: message.correlationId,
      applicationProperties: message.applicationProperties,
    })),
  )
  await Promise.all(messages.map(message => receiver.completeMessage(message)))
  moved += messages.length
}
await client.close()
process.stderr.write(`${JSON.stringify({moved})}\n`)
