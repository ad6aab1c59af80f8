// A complete Service Bus queue worker for a Heroku worker dyno, with nothing but the stock SDK:
// peek-lock, complete on success, abandon on failure (the queue's max delivery count then
// dead-letters it), dead-letter poison messages at once with a reason, drain on SIGTERM.
//
//   SERVICEBUS_CONNECTION_STRING  a Listen-rights connection string for the queue
//   QUEUE_NAME                    the queue to work on
//   CONCURRENCY                   jobs at a time (default 4)
import {ServiceBusClient} from '@azure/service-bus'

const connectionString = process.env.SERVICEBUS_CONNECTION_STRING
const queue = process.env.QUEUE_NAME
const concurrency = Number(process.env.CONCURRENCY ?? 4)
if (!connectionString || !queue) {
  console.error('worker: set SERVICEBUS_CONNECTION_STRING and QUEUE_NAME')
  process.exit(2)
}

const dyno = process.env.DYNO ?? 'worker'
const log = fields =>
  console.log(
    Object.entries({dyno, ...fields})
      .map(([k, v]) => `${k}=${v}`)
      .join(' '),
  )

class PoisonMessage extends Error {}

/** The job itself: here, a small computation; a real app resizes images or sends e-mail. */
async function handle(body) {
  const job = typeof body === 'object' && body !== null ? body : null
  if (!job || typeof job.id !== 'number') throw new PoisonMessage('the body is not a job object with a numeric id')
  if (job.poison) throw new PoisonMessage(`job ${job.id} is marked as poison`)
  await new Promise(resolve => setTimeout(resolve, job.ms ?? 5))
  return job.id * 2
}

const client = new ServiceBusClient(connectionString)
const receiver = client.createReceiver(queue, {receiveMode: 'peekLock'})
let stopping = false
let processed = 0
const inFlight = new Set()

const subscription = receiver.subscribe(
  {
    async processMessage(message) {
      const job = work(message)
      inFlight.add(job)
      await job.finally(() => inFlight.delete(job))
    },
    async processError({error}) {
      if (!stopping) log({at: 'error', error: JSON.stringify(error.message)})
    },
  },
  {autoCompleteMessages: false, maxConcurrentCalls: concurrency},
)
log({at: 'start', queue, concurrency})

async function work(message) {
  try {
    const result = await handle(message.body)
    await receiver.completeMessage(message)
    processed++
    if (processed % 100 === 0) log({at: 'progress', processed})
    if (typeof message.body === 'object' && message.body.report) log({at: 'job', id: message.body.id, result})
  } catch (error) {
    if (error instanceof PoisonMessage) {
      await receiver.deadLetterMessage(message, {deadLetterReason: 'InvalidJob', deadLetterErrorDescription: error.message})
      log({at: 'dead-letter', seq: message.sequenceNumber, reason: 'InvalidJob'})
    } else {
      await receiver.abandonMessage(message)
      log({at: 'abandon', seq: message.sequenceNumber, error: JSON.stringify(error.message)})
    }
  }
}

// Heroku sends SIGTERM, then SIGKILL 30 s later: stop taking messages, finish the running ones.
process.once('SIGTERM', async () => {
  stopping = true
  log({at: 'stopping', processed})
  await subscription.close()
  await Promise.allSettled(inFlight)
  await receiver.close()
  await client.close()
  log({at: 'stopped', processed})
  process.exit(0)
})
