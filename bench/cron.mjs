// qjob cron fire-time lateness: two `qjob cron run` replicas fire --every 1s --send schedules
// until 200 fires; lateness = when a replica picked the tick up (and decided to fire) minus its fire
// time, and when the message was in the target queue minus the fire time. Also checks that no fire
// time was fired twice. In-process Service Bus emulator; run `npm run build` first.
// Usage: node bench/cron.mjs [--fires 200] [--schedules 4] [--markdown]
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {createInterface} from 'node:readline'
import {fileURLToPath} from 'node:url'

import {ServiceBusClient} from '@azure/service-bus'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const arg = (name, fallback) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback)
const wanted = arg('--fires', 200)
const schedules = arg('--schedules', 4)
const markdown = process.argv.includes('--markdown')
const JOBS = 'bench-jobs'

const {startServiceBusEmulator} = await import(join(root, 'dist/emulator/servicebus/index.js'))
const home = mkdtempSync(join(tmpdir(), 'qjob-bench-cron-'))
const emulator = await startServiceBusEmulator({
  port: 0,
  inMemory: true,
  queues: [{name: JOBS, requiresDuplicateDetection: true, duplicateDetectionHistoryTimeWindow: 'PT1H'}],
})
const env = {...process.env, SERVICEBUS_CONNECTION_STRING: emulator.connectionString, HOME: home, XDG_CONFIG_HOME: join(home, 'config')}
// Not spawnSync: the emulator runs in this process and must keep serving.
const qjob = args =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin/run.js'), ...args], {env, stdio: ['ignore', 'ignore', 'pipe']})
    let stderr = ''
    child.stderr.on('data', chunk => (stderr += chunk))
    child.on('close', code => (code === 0 ? resolve() : reject(new Error(`qjob ${args.join(' ')}: ${stderr}`))))
  })

const fires = []
const replicas = []
let resolveDone
const done = new Promise(resolve => (resolveDone = resolve))
function replica(index) {
  const child = spawn(process.execPath, [join(root, 'bin/run.js'), 'cron', 'run', '--json'], {env, stdio: ['ignore', 'pipe', 'inherit']})
  let started
  const ready = new Promise(resolve => (started = resolve))
  createInterface({input: child.stdout}).on('line', line => {
    const event = JSON.parse(line)
    if (event.event === 'started') started()
    if (event.event !== 'fired') return
    fires.push({...event, replica: index})
    if (fires.length >= wanted) resolveDone()
  })
  replicas.push(child)
  return ready
}

try {
  await Promise.all([replica(0), replica(1)])
  for (let i = 0; i < schedules; i++) await qjob(['cron', 'add', `beat-${i}`, '--every', '1s', '--send', `beat ${i}`, '-q', JOBS])
  await done
  for (const child of replicas) child.kill('SIGTERM')
  await Promise.all(replicas.map(child => new Promise(resolve => (child.exitCode === null ? child.once('exit', resolve) : resolve()))))

  const client = new ServiceBusClient(emulator.connectionString)
  const receiver = client.createReceiver(JOBS, {receiveMode: 'receiveAndDelete'})
  const sentAt = new Map()
  for (;;) {
    const batch = await receiver.receiveMessages(500, {maxWaitTimeInMs: 1000})
    if (batch.length === 0) break
    for (const message of batch) sentAt.set(message.messageId, message.enqueuedTimeUtc.getTime())
  }
  await client.close()

  const ok = fires.filter(event => event.outcome.status === 'ok').slice(0, wanted)
  const keys = ok.map(event => `${event.name}@${event.outcome.fireTime}`)
  const doubles = keys.length - new Set(keys).size
  const pickup = ok.map(event => event.outcome.lateMs).sort((a, b) => a - b)
  const delivered = ok
    .map(event => sentAt.get(event.outcome.messageId) - Date.parse(event.outcome.fireTime))
    .filter(Number.isFinite)
    .sort((a, b) => a - b)
  const pct = (values, p) => values[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)]
  const byReplica = [0, 1].map(index => ok.filter(event => event.replica === index).length)
  const rows = [
    ['picked up (lateMs)', pickup],
    ['message in the queue', delivered],
  ].map(([what, values]) => ({what, n: values.length, p50: pct(values, 50), p99: pct(values, 99), max: values.at(-1)}))
  if (markdown) {
    console.log(
      `${ok.length} fires of ${schedules} \`--every 1s --send\` schedules, two replicas (fires per replica: ${byReplica.join(' / ')}), fire times fired twice: ${doubles}, other outcomes: ${JSON.stringify(fires.filter(event => event.outcome.status !== 'ok').map(event => `${event.outcome.status}: ${event.outcome.reason ?? ''}`))}\n`,
    )
    console.log('| lateness after the fire time | fires | p50 | p99 | max |')
    console.log('|---|---:|---:|---:|---:|')
    for (const row of rows) console.log(`| ${row.what} | ${row.n} | ${row.p50} ms | ${row.p99} ms | ${row.max} ms |`)
  } else {
    console.log({
      fires: ok.length,
      byReplica,
      doubles,
      others: fires.filter(event => event.outcome.status !== 'ok').map(event => event.outcome),
      rows,
    })
  }
  if (doubles > 0) process.exitCode = 1
} finally {
  for (const child of replicas) child.kill('SIGKILL')
  await emulator.close()
  rmSync(home, {recursive: true, force: true})
}
