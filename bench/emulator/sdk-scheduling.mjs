// The client side of bench/emulator-scheduling.mjs, a plain SDK script in its own process (nothing
// of qjob loaded). Modes, each printing one JSON line:
//   schedule <conn> <queue> <count> <leadMs> [--receive]: schedules <count> messages of 100 bytes
//     (4 concurrent senders, 100 a request) all due <leadMs> after the start; with --receive, a
//     receive-and-delete subscriber then records when each arrives: the lag after the due time.
//   drain <conn> <queue> <count>: sends <count> messages, then times receiving them all (the same
//     subscriber): the floor for the delivery of <count> messages that became due at once.
//   send <conn> <queue> <count>: sends <count> messages (to have something to peek).
//   peek <conn> <queue> <count> <page>: peeks from sequence number 1 in pages until <count> seen.
import {ServiceBusClient} from '@azure/service-bus'
import Long from 'long'

const [, , mode, connectionString, queue, countText, extra] = process.argv
const count = Number(countText)
const body = Buffer.alloc(100, 0x61)
const CHUNK = 100
const SENDERS = 4
const client = new ServiceBusClient(connectionString, {retryOptions: {maxRetries: 0, timeoutInMs: 120_000}})
const now = () => Date.now()
const print = result => process.stdout.write(`${JSON.stringify(result)}\n`)

/** Receives `count` messages (receive-and-delete); the arrival time of each. */
function receiveAll() {
  return new Promise((resolve, reject) => {
    const receiver = client.createReceiver(queue, {receiveMode: 'receiveAndDelete'})
    const arrivals = []
    const subscription = receiver.subscribe(
      {
        async processMessage() {
          arrivals.push(now())
          if (arrivals.length === count) {
            await subscription.close()
            resolve(arrivals)
          }
        },
        async processError({error}) {
          reject(error)
        },
      },
      {maxConcurrentCalls: 500},
    )
  })
}

async function inChunks(work) {
  let next = 0
  await Promise.all(
    Array.from({length: SENDERS}, async () => {
      const sender = client.createSender(queue)
      while (next < count) {
        const size = Math.min(CHUNK, count - next)
        next += size
        await work(
          sender,
          Array.from({length: size}, () => ({body})),
        )
      }
    }),
  )
}

if (mode === 'schedule') {
  const started = now()
  const dueAt = started + Number(extra)
  const receiving = process.argv.includes('--receive') ? receiveAll() : undefined
  await inChunks((sender, messages) => sender.scheduleMessages(messages, new Date(dueAt)))
  const scheduledIn = now() - started
  const result = {
    count,
    scheduleSeconds: scheduledIn / 1000,
    scheduleRate: count / (scheduledIn / 1000),
    dueBeforeScheduled: scheduledIn > Number(extra),
  }
  if (receiving) {
    const arrivals = (await receiving).sort((a, b) => a - b)
    Object.assign(result, {
      early: arrivals.filter(at => at < dueAt).length,
      firstLagMs: arrivals[0] - dueAt,
      medianLagMs: arrivals[Math.floor(count / 2)] - dueAt,
      latestLagMs: arrivals.at(-1) - dueAt,
    })
  }
  print(result)
} else if (mode === 'drain') {
  await inChunks((sender, messages) => sender.sendMessages(messages))
  const started = now()
  const arrivals = await receiveAll()
  print({count, drainMs: Math.max(...arrivals) - started})
} else if (mode === 'send') {
  await inChunks((sender, messages) => sender.sendMessages(messages))
  print({count})
} else if (mode === 'peek') {
  const receiver = client.createReceiver(queue)
  const page = Number(extra)
  const started = now()
  let seen = 0
  let from = 1
  while (seen < count) {
    const messages = await receiver.peekMessages(page, {fromSequenceNumber: Long.fromNumber(from)})
    if (messages.length === 0) break
    seen += messages.length
    from = Number(messages.at(-1).sequenceNumber) + 1
  }
  const seconds = (now() - started) / 1000
  print({count: seen, seconds, rate: seen / seconds})
}
await client.close()
