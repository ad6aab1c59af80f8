// Plain-SDK baseline, the fastest straightforward receiver: peek-lock batches of 100, each message
// printed as JSON (body as text) and then completed without waiting for the round trip (up to 256
// settlements in flight), the next batch requested while they are under way. Prints {received, seconds} to stderr
// (timed from the first receive call, so without process start-up).
// Usage: node bench/sdk/receive-pipelined.mjs QUEUE COUNT
import {performance} from 'node:perf_hooks'
import {ServiceBusClient} from '@azure/service-bus'

const [queue, count] = [process.argv[2], Number(process.argv[3])]
const client = new ServiceBusClient(process.env.SERVICEBUS_CONNECTION_STRING)
const receiver = client.createReceiver(queue)
const inFlight = new Set()
let received = 0
const started = performance.now()
while (received < count) {
  const messages = await receiver.receiveMessages(Math.min(100, count - received), {maxWaitTimeInMs: 5000})
  if (messages.length === 0) break
  for (const message of messages) {
    process.stdout.write(`${JSON.stringify({body: String(message.body), sequenceNumber: message.sequenceNumber.toString()})}\n`)
    const settled = receiver.completeMessage(message).then(() => inFlight.delete(settled))
    inFlight.add(settled)
    if (inFlight.size >= 256) await Promise.race(inFlight)
    received++
  }
}
await Promise.all(inFlight)
const seconds = (performance.now() - started) / 1000
await client.close()
process.stderr.write(`${JSON.stringify({received, seconds})}\n`)
