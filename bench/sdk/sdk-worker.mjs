// Second baseline for `qjob work --exec CMD --concurrency C`: the worker a user would write with the
// SDK alone, `subscribe` with maxConcurrentCalls C, each message's body piped to `sh -c CMD` and the
// message completed when it exits 0. It shows what Service Bus itself costs per job on top of
// spawn-only.mjs (the receive, lock renewal and complete, and the emulator's side of them).
// It prints the times (ms since it started) at which the first and the last job ended.
// Usage: SERVICEBUS_CONNECTION_STRING=... node bench/sdk/sdk-worker.mjs QUEUE CMD JOBS CONCURRENCY
import {performance} from 'node:perf_hooks'

import {ServiceBusClient} from '@azure/service-bus'

import {spawnJob} from './spawn-job.mjs'

const [queue, command, jobs, concurrency] = [process.argv[2], process.argv[3], Number(process.argv[4]), Number(process.argv[5])]

const started = performance.now()
const client = new ServiceBusClient(process.env.SERVICEBUS_CONNECTION_STRING)
const receiver = client.createReceiver(queue, {skipParsingBodyAsJson: true})
const ended = []
await new Promise((resolve, reject) => {
  receiver.subscribe(
    {
      async processMessage(message) {
        await spawnJob(command, message.body)
        ended.push(performance.now() - started)
        if (ended.length === jobs) resolve()
      },
      async processError({error}) {
        reject(error)
      },
    },
    {maxConcurrentCalls: concurrency},
  )
})
await receiver.close()
await client.close()
console.log(JSON.stringify({firstMs: ended[0], lastMs: ended.at(-1)}))
