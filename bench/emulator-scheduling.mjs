// Service Bus emulator benchmark for scheduling and peek, each next to the plain SDK doing the same:
//  1. schedule 10,000 messages (schedule-message, 100 a request, 4 concurrent senders) into the
//     emulator (its own process, durable data dir); next to the same SDK script scheduling into a
//     management sink that answers without storing (the SDK's own ceiling).
//  2. on-time delivery of those 10,000, all due at the same instant: the lag of the first, median
//     and latest arrival after the due time at a receive-and-delete subscriber; next to the time
//     the same subscriber takes to receive 10,000 messages that are already active (the floor).
//  3. peek 10,000 messages from sequence number 1 in pages of 500; next to peeking canned
//     messages from the management sink.
// Run `npm run compile` first. Usage: node bench/emulator-scheduling.mjs [--count 10000] [--markdown]
import {spawn} from 'node:child_process'
import {once} from 'node:events'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {startManagementSink} from './emulator/management-sink.mjs'
import {canConnect, freePort} from './emulator/net.mjs'
import {printResults} from './emulator/results.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const qjob = join(root, 'bin/run.js')
const workload = join(root, 'bench/emulator/sdk-scheduling.mjs')
const arg = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`)
  return index === -1 ? fallback : Number(process.argv[index + 1])
}
const count = arg('count', 10_000)
const leadMs = arg('lead', 10_000)
const PEEK_PAGE = 500
const markdown = process.argv.includes('--markdown')
const work = mkdtempSync(join(tmpdir(), 'qjob-bench-sched-'))
const env = {...process.env, HOME: work, XDG_DATA_HOME: join(work, 'data'), XDG_CONFIG_HOME: join(work, 'config')}
const config = join(work, 'emulator.json')
writeFileSync(config, JSON.stringify({queues: [{name: 'sched'}, {name: 'drain'}, {name: 'peek'}]}))

function run(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {env, cwd: root, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', chunk => (stdout += chunk))
    child.stderr.on('data', chunk => (stderr += chunk))
    child.on('close', code => (code === 0 ? resolve(JSON.parse(stdout)) : reject(new Error(`${args.join(' ')} exited ${code}: ${stderr}`))))
  })
}

async function startEmulatorChild() {
  const port = await freePort()
  const dataDir = join(work, 'emulator')
  const child = spawn(
    process.execPath,
    [qjob, 'emulator', 'start', '--foreground', '--port', String(port), '--data-dir', dataDir, '--config', config],
    {env, stdio: ['ignore', 'ignore', 'ignore']},
  )
  while (!(await canConnect(port))) await new Promise(resolve => setTimeout(resolve, 5))
  while (!existsSync(join(dataDir, 'emulator.json'))) await new Promise(resolve => setTimeout(resolve, 5))
  return {child, connectionString: JSON.parse(readFileSync(join(dataDir, 'emulator.json'), 'utf8')).env.SERVICEBUS_CONNECTION_STRING}
}

const results = []
let emulator
try {
  const sink = await startManagementSink({peekable: count})
  const sinkSchedule = await run([workload, 'schedule', sink.connectionString, 'sched', String(count), String(leadMs)])
  const sinkPeek = await run([workload, 'peek', sink.connectionString, 'peek', String(count), String(PEEK_PAGE)])
  await sink.close()

  emulator = await startEmulatorChild()
  const scheduled = await run([workload, 'schedule', emulator.connectionString, 'sched', String(count), String(leadMs), '--receive'])
  const drained = await run([workload, 'drain', emulator.connectionString, 'drain', String(count)])
  await run([workload, 'send', emulator.connectionString, 'peek', String(count)])
  const peeked = await run([workload, 'peek', emulator.connectionString, 'peek', String(count), String(PEEK_PAGE)])

  results.push({
    name: `schedule ${count.toLocaleString('en')} messages`,
    emulator: `${Math.round(scheduled.scheduleRate)} msg/s (${scheduled.scheduleSeconds.toFixed(2)} s, durable)`,
    sdk: `${Math.round(sinkSchedule.scheduleRate)} msg/s into a management sink (${sinkSchedule.scheduleSeconds.toFixed(2)} s)`,
    ratio: scheduled.scheduleRate / sinkSchedule.scheduleRate,
  })
  results.push({
    name: `on-time delivery of ${count.toLocaleString('en')} scheduled messages due at once`,
    emulator: `latest ${scheduled.latestLagMs} ms after the due time (first ${scheduled.firstLagMs} ms, median ${scheduled.medianLagMs} ms; ${scheduled.early} early${scheduled.dueBeforeScheduled ? '; scheduling outlasted the lead time' : ''})`,
    sdk: `${drained.drainMs} ms for the same subscriber to receive ${count.toLocaleString('en')} messages already active`,
    ratio: scheduled.latestLagMs / drained.drainMs,
  })
  results.push({
    name: `peek ${count.toLocaleString('en')} messages (pages of ${PEEK_PAGE})`,
    emulator: `${Math.round(peeked.rate)} msg/s (${peeked.seconds.toFixed(2)} s)`,
    sdk: `${Math.round(sinkPeek.rate)} msg/s from a management sink (${sinkPeek.seconds.toFixed(2)} s)`,
    ratio: peeked.rate / sinkPeek.rate,
  })
} finally {
  if (emulator) {
    const exited = once(emulator.child, 'exit')
    emulator.child.kill('SIGTERM')
    await exited
  }
  rmSync(work, {recursive: true, force: true})
}

printResults(results, markdown)
