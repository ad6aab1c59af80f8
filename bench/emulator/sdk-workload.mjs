// The client side of every bench/emulator.mjs measurement, run as its own process so its CPU and
// memory are its own: `ingest` sends N messages of S bytes in batches over C concurrent senders and
// prints {seconds, rate, rssMb}. A plain SDK script: nothing of qjob is loaded.
import {ServiceBusClient} from '@azure/service-bus'

const [, , connectionString, queue, countText, sizeText, concurrencyText] = process.argv
const count = Number(countText)
const size = Number(sizeText)
const concurrency = Number(concurrencyText ?? 4)
const body = Buffer.alloc(size, 0x61)

const client = new ServiceBusClient(connectionString, {retryOptions: {maxRetries: 0, timeoutInMs: 60_000}})
const senders = Array.from({length: concurrency}, () => client.createSender(queue))
let next = 0
let peakRss = 0
const started = process.hrtime.bigint()
await Promise.all(
  senders.map(async sender => {
    while (next < count) {
      const batch = await sender.createMessageBatch()
      while (next < count && batch.tryAddMessage({body, messageId: `m-${next}`})) next++
      if (batch.count > 0) await sender.sendMessages(batch)
      peakRss = Math.max(peakRss, process.memoryUsage().rss)
    }
  }),
)
const seconds = Number(process.hrtime.bigint() - started) / 1e9
await client.close()
process.stdout.write(`${JSON.stringify({count, seconds, rate: count / seconds, peakRssMb: peakRss / 1024 / 1024})}\n`)
