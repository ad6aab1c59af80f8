// qjob autoscale against fixed formations: a recorded 24 h load curve (bench/autoscale-load.csv,
// messages arriving per minute) replayed with a fast clock. The autoscale run goes through both
// emulators: messages are sent to and taken from the Service Bus emulator with the SDK, the loop
// reads the counts over ATOM and scales the formation on the local Platform API (which starts and
// stops real, idle processes). Message processing is simulated: each worker takes --rate messages
// a minute; a dyno added by a decision works from the next 30 s step (boot time). The fixed
// formations (1, 2, 5 workers) run the same queue model in memory; the autoscale run's worker
// schedule is replayed through that model too, as a check that model and emulator agree.
// Run `npm run compile` first. Usage: node bench/autoscale.mjs [--rate 20] [--per-worker 50] [--max 10] [--markdown]
/* global AbortController -- Node 20 has it; the lint config lists only the common globals */
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {ServiceBusClient} from '@azure/service-bus'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const arg = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`)
  return index === -1 ? fallback : process.argv[index + 1]
}
const markdown = process.argv.includes('--markdown')
const curvePath = arg('curve', join(root, 'bench', 'autoscale-load.csv'))
const rate = Number(arg('rate', '20'))
const STEP = 30_000
const settings = {
  min: 0,
  max: Number(arg('max', '10')),
  perWorker: Number(arg('per-worker', '50')),
  activation: 0,
  upCooldownMs: 60_000,
  downCooldownMs: 300_000,
  jobsPerWorker: 1,
}
const perStep = (rate * STEP) / 60_000

/** Messages arriving in each 30 s step: each minute's count split over its two halves. */
function loadSteps(path) {
  const minutes = readFileSync(path, 'utf8')
    .split('\n')
    .filter(line => /^\d+,\d+$/.test(line.trim()))
    .map(line => Number(line.split(',')[1]))
  return minutes.flatMap(count => [Math.ceil(count / 2), Math.floor(count / 2)])
}

/** FIFO of (arrival time, count) buckets; wait = end of the step a worker takes it in − arrival. */
class QueueModel {
  buckets = []
  size = 0
  waits = []
  push(time, count) {
    if (count > 0) {
      this.buckets.push({time, count})
      this.size += count
    }
  }
  take(count, doneAt) {
    let left = Math.min(count, this.size)
    while (left > 0) {
      const head = this.buckets[0]
      const taken = Math.min(head.count, left)
      for (let i = 0; i < taken; i++) this.waits.push(doneAt - head.time)
      head.count -= taken
      left -= taken
      this.size -= taken
      if (head.count === 0) this.buckets.shift()
    }
  }
}

function stats(waits) {
  const sorted = Float64Array.from(waits).sort()
  const at = p => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))])
  return {count: sorted.length, worst: sorted.at(-1) ?? 0, p95: at(0.95), mean: sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1)}
}

/** Replays arrivals against a worker schedule (effective workers per step) in memory. */
function replay(arrivals, workersAt, billedAt) {
  const model = new QueueModel()
  let workerMs = 0
  for (let step = 0; step < arrivals.length || model.size > 0; step++) {
    if (step > arrivals.length * 3) throw new Error('the queue never drains')
    model.push(step * STEP, arrivals[step] ?? 0)
    model.take(Math.floor(workersAt(step) * perStep), (step + 1) * STEP)
    workerMs += billedAt(step) * STEP
  }
  return {workerMinutes: workerMs / 60_000, ...stats(model.waits)}
}

async function autoscaleRun(arrivals) {
  const dist = path => import(join(root, 'dist', path))
  const {startServiceBusEmulator} = await dist('emulator/servicebus/index.js')
  const {startHerokuEmulator} = await dist('emulator/heroku/index.js')
  const {AtomBackend} = await dist('lib/management/atom.js')
  const {HerokuApi} = await dist('lib/heroku/api.js')
  const {runAutoscaler} = await dist('lib/autoscale/loop.js')
  const {herokuFormation, queueCounts} = await dist('lib/autoscale/sources.js')

  const dir = mkdtempSync(join(tmpdir(), 'qjob-bench-autoscale-'))
  const appDir = join(dir, 'app')
  mkdirSync(appDir)
  writeFileSync(join(appDir, 'Procfile'), 'worker: node -e "setInterval(()=>{},1000)"\n')
  const queue = 'bench'
  const servicebus = await startServiceBusEmulator({port: 0, inMemory: true, queues: [{name: queue}]})
  const heroku = await startHerokuEmulator({appDir, port: 0, appName: 'qjob-bench', dataDir: join(dir, 'data'), gracePeriodMs: 1000})
  let requests = 0
  const client = new ServiceBusClient(servicebus.connectionString)
  const sender = client.createSender(queue)
  const receiver = client.createReceiver(queue, {receiveMode: 'receiveAndDelete'})
  const backend = await AtomBackend.open({
    kind: 'connection-string',
    connectionString: servicebus.connectionString,
    endpoint: servicebus.endpoint,
  })
  const api = new HerokuApi({token: heroku.token, baseUrl: heroku.url, sleep: async () => {}})
  const countingApi = new Proxy(api, {
    get(target, key) {
      const value = Reflect.get(target, key)
      if (typeof value !== 'function') return value
      return (...args) => {
        if (['get', 'patch'].includes(key)) requests++
        return value.apply(target, args)
      }
    },
  })
  const quantity = () => heroku.store.formationList().find(entry => entry.type === 'worker').quantity

  const start = Date.now()
  let step = 0
  let queued = 0
  let previous = 0
  const effective = []
  const billed = []
  const waits = []
  let decisions = 0
  let changes = 0
  let failures = 0
  const stop = new AbortController()
  const wall = Date.now()

  const runStep = async () => {
    const time = start + step * STEP
    const count = arrivals[step] ?? 0
    for (let sent = 0; sent < count; sent += 500) {
      const size = Math.min(500, count - sent)
      await sender.sendMessages(Array.from({length: size}, () => ({body: '', applicationProperties: {t: time}})))
    }
    queued += count
    const now = quantity()
    const working = Math.min(now, previous)
    let take = Math.min(queued, Math.floor(working * perStep))
    effective.push(working)
    billed.push(now)
    previous = now
    while (take > 0) {
      const messages = await receiver.receiveMessages(take, {maxWaitTimeInMs: 5000})
      for (const message of messages) waits.push(time + STEP - Number(message.applicationProperties.t))
      take -= messages.length
      queued -= messages.length
    }
    step++
    if (step >= arrivals.length && queued === 0) stop.abort()
    if (step > arrivals.length * 3) throw new Error('the queue never drains')
  }

  try {
    await runAutoscaler({
      queue,
      type: 'worker',
      config: settings,
      intervalMs: STEP,
      counts: queueCounts(backend, queue),
      formation: herokuFormation(countingApi, 'qjob-bench', 'worker'),
      emit(event) {
        if (event.event === 'error') failures++
        else {
          decisions++
          if (event.action === 'scaled') changes++
        }
      },
      clock: () => start + step * STEP,
      signal: stop.signal,
      async sleep(ms) {
        for (let done = 0; done < ms && !stop.signal.aborted; done += STEP) await runStep()
      },
    })
  } finally {
    await receiver.close()
    await sender.close()
    await client.close()
    await backend.close()
    await heroku.close()
    await servicebus.close()
    rmSync(dir, {recursive: true, force: true})
  }
  const workerMinutes = billed.reduce((sum, workers) => sum + workers, 0) * (STEP / 60_000)
  return {
    workerMinutes,
    ...stats(waits),
    decisions,
    changes,
    failures,
    requests,
    steps: step,
    wallSeconds: (Date.now() - wall) / 1000,
    check: replay(
      arrivals,
      index => effective[index] ?? 0,
      index => billed[index] ?? 0,
    ),
  }
}

const arrivals = loadSteps(curvePath)
const total = arrivals.reduce((sum, count) => sum + count, 0)
const auto = await autoscaleRun(arrivals)
if (auto.check.worst !== auto.worst || auto.check.count !== auto.count) {
  console.error(`model and emulator disagree: worst ${auto.check.worst} vs ${auto.worst}, ${auto.check.count} vs ${auto.count} messages`)
  process.exitCode = 1
}
const fixed = [1, 2, 5].map(workers => ({
  workers,
  ...replay(
    arrivals,
    () => workers,
    () => workers,
  ),
}))

const minutes = ms =>
  ms < 60_000 ? `${(ms / 1000).toFixed(0)} s` : ms < 3_600_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 3_600_000).toFixed(1)} h`
const rows = [
  {name: `autoscale (min 0, max ${settings.max}, ${settings.perWorker}/worker, cooldowns 60 s / 300 s)`, ...auto},
  ...fixed.map(row => ({name: `fixed ${row.workers} worker${row.workers === 1 ? '' : 's'}`, ...row})),
]
if (markdown) {
  console.log(`| formation | worker-minutes | worst wait | p95 wait | mean wait |`)
  console.log('|---|---:|---:|---:|---:|')
  for (const row of rows)
    console.log(
      `| ${row.name} | ${Math.round(row.workerMinutes).toLocaleString('en')} | ${minutes(row.worst)} | ${minutes(row.p95)} | ${minutes(row.mean)} |`,
    )
  console.log()
  console.log(
    `${total.toLocaleString('en')} messages over 24 h (\`bench/autoscale-load.csv\`), processing simulated at ${rate} messages/min per worker (not real jobs), in 30 s steps: ` +
      `a wait is counted to the end of the step a worker takes the message in (30 s at best); a new dyno works from the next step. ` +
      `Autoscale through both emulators: ${auto.decisions.toLocaleString('en')} decisions, ${auto.changes} formation changes, ${auto.requests.toLocaleString('en')} Platform API requests ` +
      `(${(auto.requests / 24).toFixed(0)}/h against a budget of 4,500 refilled at 75/min), ${auto.failures} failed reads or scales; ` +
      `24 simulated hours in ${auto.wallSeconds.toFixed(0)} s. The in-memory replay of the same schedule gives the same waits (check ${auto.check.worst === auto.worst ? 'passed' : 'FAILED'}).`,
  )
} else {
  for (const row of rows)
    console.log(`${row.name}: ${Math.round(row.workerMinutes)} worker-minutes, worst wait ${minutes(row.worst)}, p95 ${minutes(row.p95)}`)
  console.log(
    `autoscale: ${auto.decisions} decisions, ${auto.changes} changes, ${auto.requests} API requests, ${auto.failures} failures, ${auto.wallSeconds.toFixed(1)} s wall`,
  )
}
