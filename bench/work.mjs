// qjob work throughput: jobs/s with `--exec true` at concurrency 1, 4 and 16 on the in-process
// emulator, next to bench/sdk/spawn-only.mjs, a script that only spawns the same command the same
// number of times at the same concurrency (no Service Bus; also a fresh node process, so both sides
// include their start-up). Each job is a shell process, so process start-up dominates. Besides the
// wall time it reports the steady rate: jobs ended per second from the first job's end to the
// last's (qjob: its job log lines as they arrive; the script: its own clock), which leaves out
// both processes' start-up and connection (start-up has its own target). Run `npm run build` first.
// Usage: node bench/work.mjs [--jobs 300] [--markdown]
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {performance} from 'node:perf_hooks'
import {fileURLToPath} from 'node:url'

import {ServiceBusClient} from '@azure/service-bus'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const jobsIndex = process.argv.indexOf('--jobs')
const jobs = jobsIndex === -1 ? 300 : Number(process.argv[jobsIndex + 1])
const markdown = process.argv.includes('--markdown')
const levels = [1, 4, 16]

const {startServiceBusEmulator} = await import(join(root, 'dist/emulator/servicebus/index.js'))
const home = mkdtempSync(join(tmpdir(), 'qjob-bench-work-'))
const emulator = await startServiceBusEmulator({port: 0, inMemory: true, queues: levels.map(level => ({name: `work-${level}`}))})
const env = {...process.env, SERVICEBUS_CONNECTION_STRING: emulator.connectionString, HOME: home, XDG_CONFIG_HOME: join(home, 'config')}
const client = new ServiceBusClient(emulator.connectionString)

function run(args) {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, args, {env, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    const jobEnds = []
    child.stdout.on('data', chunk => (stdout += chunk))
    child.stderr.on('data', chunk => {
      const now = performance.now()
      for (const line of String(chunk).split('\n')) if (line.startsWith('at=job')) jobEnds.push(now)
      stderr += chunk
    })
    child.on('close', code =>
      code === 0 ? resolve({seconds: (performance.now() - started) / 1000, stdout, stderr, jobEnds}) : reject(new Error(stderr)),
    )
  })
}

/** Jobs per second from the first job's end to the last's. */
const steadyRate = (firstMs, lastMs) => (jobs - 1) / ((lastMs - firstMs) / 1000)

const rows = []
try {
  for (const level of levels) {
    const queue = `work-${level}`
    const fill = async () => {
      const sender = client.createSender(queue)
      await sender.sendMessages(Array.from({length: jobs}, (_, i) => ({body: String(i)})))
      await sender.close()
    }
    const reference = await run([join(root, 'bench/sdk/spawn-only.mjs'), 'true', String(jobs), String(level)])
    const {firstMs, lastMs} = JSON.parse(reference.stdout)
    await fill()
    const sdkWorker = await run([join(root, 'bench/sdk/sdk-worker.mjs'), queue, 'true', String(jobs), String(level)])
    const sdkTimes = JSON.parse(sdkWorker.stdout)
    await fill()
    const {seconds, stderr, jobEnds} = await run([
      join(root, 'bin/run.js'),
      'work',
      '-q',
      queue,
      '--exec',
      'true',
      '--concurrency',
      String(level),
      '--max-messages',
      String(jobs),
    ])
    const completed = Number(/completed=(\d+)/.exec(stderr)?.[1])
    if (completed !== jobs) throw new Error(`concurrency ${level}: completed ${completed} of ${jobs}`)
    rows.push({
      level,
      seconds,
      rate: jobs / seconds,
      steady: steadyRate(jobEnds[0], jobEnds.at(-1)),
      referenceSeconds: reference.seconds,
      referenceRate: jobs / reference.seconds,
      referenceSteady: steadyRate(firstMs, lastMs),
      sdkRate: jobs / sdkWorker.seconds,
      sdkSteady: steadyRate(sdkTimes.firstMs, sdkTimes.lastMs),
    })
  }
} finally {
  await client.close()
  await emulator.close()
  rmSync(home, {recursive: true, force: true})
}

const ratio = (a, b) => `${(a / b).toFixed(2)}x`
if (markdown) {
  console.log(
    `| \`qjob work --exec true\` (${jobs} jobs) | qjob work, wall | spawn-only script, wall | qjob / script | qjob work, steady | spawn-only, steady | qjob / spawn-only, steady | SDK worker, steady | qjob / SDK worker, steady |`,
  )
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|')
  for (const row of rows)
    console.log(
      `| concurrency ${row.level} | ${row.rate.toFixed(0)} jobs/s (${row.seconds.toFixed(2)} s) | ${row.referenceRate.toFixed(0)} jobs/s (${row.referenceSeconds.toFixed(2)} s) | ${ratio(row.rate, row.referenceRate)} | ${row.steady.toFixed(0)} jobs/s | ${row.referenceSteady.toFixed(0)} jobs/s | ${ratio(row.steady, row.referenceSteady)} | ${row.sdkSteady.toFixed(0)} jobs/s | ${ratio(row.steady, row.sdkSteady)} |`,
    )
} else {
  for (const row of rows) {
    console.log(
      `concurrency ${String(row.level).padStart(2)}: ${jobs} jobs in ${row.seconds.toFixed(2)} s = ${row.rate.toFixed(0)} jobs/s; spawn-only ${row.referenceRate.toFixed(0)} jobs/s; ${ratio(row.rate, row.referenceRate)}; steady ${row.steady.toFixed(0)} vs ${row.referenceSteady.toFixed(0)} jobs/s = ${ratio(row.steady, row.referenceSteady)}; SDK worker steady ${row.sdkSteady.toFixed(0)} jobs/s (qjob ${ratio(row.steady, row.sdkSteady)})`,
    )
  }
}
