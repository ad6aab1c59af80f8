// Service Bus emulator benchmark, each number next to a plain SDK script doing the same work:
//  1. cold start: `qjob emulator start --foreground` from spawn to accepting TCP connections,
//     and the background `qjob emulator start` until it returns; next to a plain script that
//     loads @azure/service-bus and creates a client.
//  2. durable ingest: small messages in batches (4 concurrent senders) into the emulator (its own
//     process, durable data dir, fsync per group commit); next to the same SDK script sending to a
//     null AMQP sink that accepts everything without storing (the SDK's own ceiling); three
//     rounds in turn, compared by their medians.
//  3. RSS of the emulator with 100,000 messages of 1 KB queued; next to the peak RSS of the SDK
//     script that sent them.
// Run `npm run compile` first. Usage: node bench/emulator.mjs [--count 200000] [--markdown]
import {spawn} from 'node:child_process'
import {once} from 'node:events'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {startNullSink} from './emulator/null-sink.mjs'
import {canConnect, freePort} from './emulator/net.mjs'
import {emulatorLaunch} from './emulator/processes.mjs'
import {printResults} from './emulator/results.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const qjob = join(root, 'bin/run.js')
const workload = join(root, 'bench/emulator/sdk-workload.mjs')
const arg = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`)
  return index === -1 ? fallback : Number(process.argv[index + 1])
}
const ingestCount = arg('count', 200_000)
const INGEST_ROUNDS = 3
const markdown = process.argv.includes('--markdown')
const work = mkdtempSync(join(tmpdir(), 'qjob-bench-emu-'))
const env = {...process.env, HOME: work, XDG_DATA_HOME: join(work, 'data'), XDG_CONFIG_HOME: join(work, 'config')}
const config = join(work, 'emulator.json')
writeFileSync(
  config,
  JSON.stringify({
    queues: [
      {name: 'ingest', maxSizeInMegabytes: 5120},
      {name: 'rss', maxSizeInMegabytes: 5120},
    ],
  }),
)

function run(args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {env, cwd: root, stdio: ['ignore', 'pipe', 'pipe'], ...options})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', chunk => (stdout += chunk))
    child.stderr.on('data', chunk => (stderr += chunk))
    child.on('close', code => (code === 0 ? resolve(stdout) : reject(new Error(`${args.join(' ')} exited ${code}: ${stderr}`))))
  })
}

const verbose = process.argv.includes('--verbose')
const note = text => verbose && process.stderr.write(`${new Date().toISOString()} ${text}\n`)
const median = values => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const ms = nanos => Number(nanos) / 1e6

/** Emulator children still running: stopped in `finally` even when a measurement fails. */
const children = new Set()

/**
 * spawn -> first accepted TCP connection, for a foreground emulator started the way the background
 * `qjob emulator start` starts it (its Node flags and environment); returns [ms, child, port, dataDir].
 */
async function coldStart(label) {
  const port = await freePort()
  const dataDir = join(work, label)
  const launch = emulatorLaunch(env)
  const started = process.hrtime.bigint()
  const child = spawn(
    process.execPath,
    [...launch.execArgv, qjob, 'emulator', 'start', '--foreground', '--port', String(port), '--data-dir', dataDir, '--config', config],
    {env: launch.env, stdio: ['ignore', 'ignore', 'ignore']},
  )
  children.add(child)
  child.on('exit', () => children.delete(child))
  while (!(await canConnect(port))) await new Promise(resolve => setTimeout(resolve, 2))
  const elapsed = ms(process.hrtime.bigint() - started)
  note(`${label}: accepting after ${elapsed.toFixed(0)} ms`)
  // The state file (with the connection string) is written right after the listener is up.
  while (!existsSync(join(dataDir, 'emulator.json'))) await new Promise(resolve => setTimeout(resolve, 2))
  return {elapsed, child, port, dataDir}
}

async function stopChild(child) {
  const exited = once(child, 'exit')
  child.kill('SIGTERM')
  await exited
  note(`stopped pid ${child.pid}`)
}

function rssMb(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return Number(match[1]) / 1024
}

const results = []
try {
  // 1. Cold start.
  const firstStarts = []
  for (let i = 0; i < 3; i++) {
    const {elapsed, child} = await coldStart(`first-${i}`)
    firstStarts.push(elapsed)
    await stopChild(child)
  }
  const starts = []
  for (let i = 0; i < 5; i++) {
    const {elapsed, child} = await coldStart('first-0')
    starts.push(elapsed)
    await stopChild(child)
  }
  const backgroundStarts = []
  for (let i = 0; i < 3; i++) {
    const dataDir = join(work, `bg-${i}`)
    const started = process.hrtime.bigint()
    await run([qjob, 'emulator', 'start', '--port', '0', '--data-dir', dataDir, '--config', config])
    backgroundStarts.push(ms(process.hrtime.bigint() - started))
    await run([qjob, 'emulator', 'stop', '--data-dir', dataDir])
  }
  const sdkLoads = []
  for (let i = 0; i < 5; i++) {
    const started = process.hrtime.bigint()
    await run([
      '--input-type=module',
      '-e',
      "const {ServiceBusClient} = await import('@azure/service-bus'); new ServiceBusClient('Endpoint=sb://127.0.0.1:1;SharedAccessKeyName=a;SharedAccessKey=b;UseDevelopmentEmulator=true')",
    ])
    sdkLoads.push(ms(process.hrtime.bigint() - started))
  }
  results.push({
    name: 'cold start to accepting connections (median of 5)',
    emulator: `${median(starts).toFixed(0)} ms (\`qjob emulator start --foreground\`, existing data dir); ${median(firstStarts).toFixed(0)} ms on a new data dir (key and certificate created); background \`qjob emulator start\` returns in ${median(backgroundStarts).toFixed(0)} ms (new dir)`,
    sdk: `${median(sdkLoads).toFixed(0)} ms to load the SDK and create a client`,
    ratio: median(starts) / median(sdkLoads),
  })

  note('cold start done')
  // 2. Durable ingest: three rounds, the sink and the emulator in turn, compared by their medians
  // (one round each moved the ratio by ±0.1 with the sink's own rate).
  const sinkRates = []
  const emulatorRates = []
  let ingestRss
  for (let round = 0; round < INGEST_ROUNDS; round++) {
    const sink = await startNullSink()
    sinkRates.push(JSON.parse(await run([workload, sink.connectionString, 'ingest', String(ingestCount), '100', '4'])).rate)
    await sink.close()
    const ingest = await coldStart(`ingest-${round}`)
    const state = JSON.parse(readFileSync(join(ingest.dataDir, 'emulator.json'), 'utf8'))
    emulatorRates.push(
      JSON.parse(await run([workload, state.env.SERVICEBUS_CONNECTION_STRING, 'ingest', String(ingestCount), '100', '4'])).rate,
    )
    ingestRss = rssMb(ingest.child.pid)
    await stopChild(ingest.child)
  }
  const rates = values => values.map(value => Math.round(value)).join(', ')
  results.push({
    name: `durable ingest, ${ingestCount} messages of 100 B in batches, 4 senders (median of ${INGEST_ROUNDS} rounds)`,
    emulator: `${Math.round(median(emulatorRates))} msg/s (rounds: ${rates(emulatorRates)}; emulator RSS after the last: ${ingestRss.toFixed(0)} MB)`,
    sdk: `${Math.round(median(sinkRates))} msg/s into a null sink (rounds: ${rates(sinkRates)})`,
    ratio: median(emulatorRates) / median(sinkRates),
  })

  // 3. RSS with 100,000 messages of 1 KB queued.
  const rss = await coldStart('rss')
  const idleRss = rssMb(rss.child.pid)
  const rssState = JSON.parse(readFileSync(join(rss.dataDir, 'emulator.json'), 'utf8'))
  const rssRun = JSON.parse(await run([workload, rssState.env.SERVICEBUS_CONNECTION_STRING, 'rss', '100000', '1024', '4']))
  const queuedRss = rssMb(rss.child.pid)
  await stopChild(rss.child)
  // Restart on the same data dir: replaying the log is the other way to get 100,000 queued.
  const replayed = await coldStart('rss')
  const replayStart = replayed.elapsed
  const replayedRss = rssMb(replayed.child.pid)
  await stopChild(replayed.child)
  results.push({
    name: 'RSS with 100,000 messages of 1 KB queued',
    emulator: `${queuedRss.toFixed(0)} MB after the sends (idle: ${idleRss.toFixed(0)} MB); ${replayedRss.toFixed(0)} MB after a restart that replayed them in ${replayStart.toFixed(0)} ms; ingest ${Math.round(rssRun.rate)} msg/s`,
    sdk: `${rssRun.peakRssMb.toFixed(0)} MB peak in the SDK script that sent them`,
    ratio: queuedRss / rssRun.peakRssMb,
  })
} finally {
  for (const child of children) child.kill('SIGKILL')
  rmSync(work, {recursive: true, force: true})
}

printResults(results, markdown)
