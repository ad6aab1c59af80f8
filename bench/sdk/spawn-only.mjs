// Baseline for `qjob work --exec CMD --concurrency C`: a script that only runs CMD through the shell
// JOBS times, C at a time, the way qjob's worker spawns a job (own process group, body on stdin,
// stdout and stderr piped), with no Service Bus at all: the process start-up floor.
// It prints the times (ms since it started) at which the first and the last job ended, so the bench
// can compare the steady rate without either side's process start-up.
// Usage: node bench/sdk/spawn-only.mjs CMD JOBS CONCURRENCY
import {spawn} from 'node:child_process'
import {performance} from 'node:perf_hooks'

const [command, jobs, concurrency] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])]
const runOne = index =>
  new Promise((resolve, reject) => {
    const child = spawn(command, {shell: true, detached: true, stdio: ['pipe', 'pipe', 'pipe']})
    child.stdout.resume()
    child.stderr.resume()
    child.stdin.on('error', () => undefined)
    child.stdin.end(String(index))
    child.on('error', reject)
    child.on('close', code => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}`))))
  })
const started = performance.now()
const ended = []
let next = 0
await Promise.all(
  Array.from({length: concurrency}, async () => {
    while (next < jobs) {
      await runOne(next++)
      ended.push(performance.now() - started)
    }
  }),
)
console.log(JSON.stringify({firstMs: ended[0], lastMs: ended.at(-1)}))
