// Baseline for `qjob work --exec CMD --concurrency C`: a script that only runs CMD through the shell
// JOBS times, C at a time, the way qjob's worker spawns a job (own process group, body on stdin,
// stdout and stderr piped), with no Service Bus at all: the process start-up floor.
// It prints the times (ms since it started) at which the first and the last job ended, so the bench
// can compare the steady rate without either side's process start-up.
// Usage: node bench/sdk/spawn-only.mjs CMD JOBS CONCURRENCY
import {performance} from 'node:perf_hooks'

import {spawnJob} from './spawn-job.mjs'

const [command, jobs, concurrency] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])]
const started = performance.now()
const ended = []
let next = 0
await Promise.all(
  Array.from({length: concurrency}, async () => {
    while (next < jobs) {
      await spawnJob(command, String(next++))
      ended.push(performance.now() - started)
    }
  }),
)
console.log(JSON.stringify({firstMs: ended[0], lastMs: ended.at(-1)}))
