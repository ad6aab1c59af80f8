// The cost of AMQP over WebSockets next to plain AMQP, through the same emulator and the stock
// SDK: send (batches of 100 small messages, 4 senders at once) and receive (peek-lock batches of
// 100, each message completed) in msg/s. The emulator runs in memory in this process, so both
// sides of each transport share the CPU; the WebSocket path is wss:// (TLS + WebSocket framing),
// as the SDK always uses it. Run `npm run build` first.
// Usage: node bench/emulator-websocket.mjs [--count 5000] [--rounds 3] [--markdown]
import {performance} from 'node:perf_hooks'

import {ServiceBusClient} from '@azure/service-bus'
import WebSocket from 'ws'

const arg = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`)
  return index === -1 ? fallback : Number(process.argv[index + 1])
}
const count = arg('count', 5_000)
const rounds = arg('rounds', 3)
const markdown = process.argv.includes('--markdown')
const BATCH = 100
const SENDERS = 4
const median = values => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

const {startServiceBusEmulator} = await import('../dist/emulator/servicebus/index.js')
const emulator = await startServiceBusEmulator({
  port: 0,
  inMemory: true,
  queues: [
    {name: 'plain', maxSizeInMegabytes: 5120},
    {name: 'ws', maxSizeInMegabytes: 5120},
  ],
})
const transports = {
  'plain AMQP (TCP)': {queue: 'plain', options: {}},
  'AMQP over WebSockets (wss)': {
    queue: 'ws',
    options: {webSocketOptions: {webSocket: WebSocket, webSocketConstructorOptions: {ca: emulator.certificate.cert}}},
  },
}

async function sendAll(client, queue) {
  const body = 'x'.repeat(64)
  const senders = Array.from({length: SENDERS}, () => client.createSender(queue))
  await Promise.all(senders.map(sender => sender.sendMessages({body: 'warm-up'})))
  let next = 0
  const started = performance.now()
  await Promise.all(
    senders.map(async sender => {
      while (next < count) {
        const size = Math.min(BATCH, count - next)
        next += size
        await sender.sendMessages(Array.from({length: size}, () => ({body})))
      }
    }),
  )
  const elapsed = performance.now() - started
  await Promise.all(senders.map(sender => sender.close()))
  return (count / elapsed) * 1000
}

async function receiveAll(client, queue) {
  const receiver = client.createReceiver(queue)
  const total = count + SENDERS // the warm-up messages too
  let received = 0
  const started = performance.now()
  while (received < total) {
    const batch = await receiver.receiveMessages(BATCH, {maxWaitTimeInMs: 5000})
    if (batch.length === 0) throw new Error(`receive stalled after ${received} messages`)
    await Promise.all(batch.map(message => receiver.completeMessage(message)))
    received += batch.length
  }
  const elapsed = performance.now() - started
  await receiver.close()
  return (total / elapsed) * 1000
}

const results = {}
try {
  for (const [name, {queue, options}] of Object.entries(transports)) {
    const client = new ServiceBusClient(emulator.connectionString, options)
    const send = []
    const receive = []
    for (let round = 0; round < rounds; round++) {
      send.push(await sendAll(client, queue))
      receive.push(await receiveAll(client, queue))
    }
    await client.close()
    results[name] = {send: median(send), receive: median(receive)}
  }
  if (emulator.webSocketConnectionsAccepted() === 0) throw new Error('the WebSocket client did not use the WebSocket path')
} finally {
  await emulator.close()
}

const [plain, ws] = Object.values(results)
const rows = [
  ['send, msg/s', plain.send, ws.send],
  ['receive + complete, msg/s', plain.receive, ws.receive],
]
if (markdown) {
  console.log(`| ${count} messages of 64 B, median of ${rounds} | plain AMQP | AMQP over WebSockets | WebSockets / plain |`)
  console.log('|---|---|---|---|')
  for (const [what, a, b] of rows) console.log(`| ${what} | ${Math.round(a)} | ${Math.round(b)} | ${(b / a).toFixed(2)} |`)
} else {
  for (const [what, a, b] of rows) console.log(`${what}: plain ${Math.round(a)}, websocket ${Math.round(b)} (${(b / a).toFixed(2)}x)`)
}
