// Growth table (issue 24): how the emulator's costs grow with queue depth and body size, so anyone
// sees where cost grows faster than the work. For each depth x body size, with the emulator in its
// own process (bench/emulator/host.mjs) and a plain SDK client in another:
//   - ingest rate: bench/emulator/sdk-workload.mjs (4 senders, full batches), durable and in memory;
//   - RSS per queued message: (emulator RSS after the sends - RSS before) / count, each read after a
//     GC; durable also after a restart that replayed the log;
//   - data-dir size after the sends (durable);
//   - restart (durable): spawn to serving (and the startServiceBusEmulator() call alone, i.e. the
//     replay), then the first `qjob peek -n 1` and the first `qjob receive -n 1` run right after it
//     (each a fresh CLI process, so both include the CLI's own start-up);
//   - receive rate at depth: bench/sdk/receive-pipelined.mjs taking --sample messages (peek-lock,
//     complete) off the full queue.
// Run `npm run build` first. Big rows are expensive: 1,000,000 x 1 KB is ~1 GB on disk and ~2 GB of
// RSS in memory mode, and minutes of CPU.
// Usage: node bench/growth.mjs [--sizes 10000,100000] [--bodies 100,1024] [--modes durable,memory]
//   [--sample 10000] [--markdown] [--verbose]
import {mkdtempSync, rmSync} from 'node:fs'
import {loadavg, tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {directoryBytes, lastJsonLine, startEmulatorHost, timedNode} from './emulator/processes.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const qjob = join(root, 'bin/run.js')
const option = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`)
  return index === -1 ? fallback : process.argv[index + 1]
}
const list = (name, fallback) =>
  option(name, fallback)
    .split(',')
    .map(value => value.trim())
const sizes = list('sizes', '10000,100000').map(Number)
const bodies = list('bodies', '100,1024').map(Number)
const modes = list('modes', 'durable,memory')
const sample = Number(option('sample', '10000'))
const markdown = process.argv.includes('--markdown')
const verbose = process.argv.includes('--verbose')
const note = text => verbose && process.stderr.write(`${new Date().toISOString()} ${text}\n`)
const load = () =>
  loadavg()
    .map(value => value.toFixed(1))
    .join(' ')

const work = mkdtempSync(join(tmpdir(), 'qjob-bench-growth-'))
const queue = 'growth'
const queues = [{name: queue, maxSizeInMegabytes: 5120}]
const clientEnv = connectionString => ({
  ...process.env,
  SERVICEBUS_CONNECTION_STRING: connectionString,
  HOME: work,
  XDG_CONFIG_HOME: join(work, 'config'),
})
const hosts = new Set()
async function host(options) {
  const started = await startEmulatorHost(options)
  hosts.add(started)
  return started
}
async function stop(started) {
  await started.stop()
  hosts.delete(started)
}

async function ingest(emulator, count, body) {
  const {stdout} = await timedNode(
    [join(root, 'bench/emulator/sdk-workload.mjs'), emulator.connectionString, queue, String(count), String(body), '4'],
    {cwd: root, keepStdout: true},
  )
  const counts = await emulator.counts(queue)
  if (counts.activeMessageCount !== count) throw new Error(`expected ${count} queued, found ${counts.activeMessageCount}`)
  return JSON.parse(stdout).rate
}

async function receiveAtDepth(emulator, count) {
  const {stderr} = await timedNode([join(root, 'bench/sdk/receive-pipelined.mjs'), queue, String(count)], {
    cwd: root,
    env: clientEnv(emulator.connectionString),
  })
  const result = lastJsonLine(stderr)
  if (result.received !== count) throw new Error(`received ${result.received} of ${count}`)
  return result.received / result.seconds
}

const cli = async (emulator, args) =>
  (await timedNode([qjob, ...args], {cwd: root, env: clientEnv(emulator.connectionString)})).seconds * 1000

async function durableRow(count, body) {
  const dataDir = join(work, `durable-${count}-${body}`)
  const first = await host({dataDir, queues})
  const before = await first.memory()
  note(`durable ${count} x ${body} B: sending`)
  const rate = await ingest(first, count, body)
  const after = await first.memory()
  const diskBytes = directoryBytes(dataDir)
  await stop(first)
  note(`durable ${count} x ${body} B: restarting`)
  const restarted = await host({dataDir, queues})
  const peekMs = await cli(restarted, ['peek', '-q', queue, '-n', '1', '--json'])
  const receiveMs = await cli(restarted, ['receive', '-q', queue, '-n', '1', '--json'])
  const replayed = await restarted.memory()
  const depthRate = await receiveAtDepth(restarted, Math.min(sample, count - 1))
  await stop(restarted)
  rmSync(dataDir, {recursive: true, force: true})
  return {
    count,
    body,
    mode: 'durable',
    rate,
    diskBytes,
    peekMs,
    receiveMs,
    depthRate,
    rssPerMessage: (after.rss - before.rss) / count,
    heapPerMessage: (after.heapUsed + after.external - before.heapUsed - before.external) / count,
    restartRssPerMessage: (replayed.rss - before.rss) / count,
    readyMs: restarted.readyMs,
    openMs: restarted.openMs,
    load: load(),
  }
}

async function memoryRow(count, body) {
  const emulator = await host({inMemory: true, queues})
  const before = await emulator.memory()
  note(`memory ${count} x ${body} B: sending`)
  const rate = await ingest(emulator, count, body)
  const after = await emulator.memory()
  const depthRate = await receiveAtDepth(emulator, Math.min(sample, count))
  await stop(emulator)
  return {
    count,
    body,
    mode: 'memory',
    rate,
    depthRate,
    rssPerMessage: (after.rss - before.rss) / count,
    heapPerMessage: (after.heapUsed + after.external - before.heapUsed - before.external) / count,
    load: load(),
  }
}

const rows = []
const startLoad = load()
try {
  for (const count of sizes) {
    for (const body of bodies) {
      if (modes.includes('durable')) rows.push(await durableRow(count, body))
      if (modes.includes('memory')) rows.push(await memoryRow(count, body))
      note(JSON.stringify(rows.at(-1)))
    }
  }
} finally {
  for (const started of hosts) started.kill()
  rmSync(work, {recursive: true, force: true})
}

const kb = bytes => `${(bytes / 1024).toFixed(2)} KB`
const mb = bytes => (bytes === undefined ? '–' : `${(bytes / 1024 / 1024).toFixed(0)} MB`)
const fixed = (value, digits = 0) => (value === undefined ? '–' : value.toFixed(digits))
const header = [
  'messages',
  'body',
  'store',
  'ingest msg/s',
  'RSS / msg (JS heap+external)',
  'RSS / msg after restart',
  'data dir',
  'restart to serving (replay)',
  'first `peek -n 1`',
  'first `receive -n 1`',
  `receive at depth (${sample}) msg/s`,
  'load',
]
const cells = row => [
  row.count.toLocaleString('en-US'),
  `${row.body} B`,
  row.mode,
  fixed(row.rate),
  `${kb(row.rssPerMessage)} (${kb(row.heapPerMessage)})`,
  row.restartRssPerMessage === undefined ? '–' : kb(row.restartRssPerMessage),
  mb(row.diskBytes),
  row.readyMs === undefined ? '–' : `${fixed(row.readyMs)} ms (${fixed(row.openMs)} ms)`,
  row.peekMs === undefined ? '–' : `${fixed(row.peekMs)} ms`,
  row.receiveMs === undefined ? '–' : `${fixed(row.receiveMs)} ms`,
  fixed(row.depthRate),
  row.load,
]
if (markdown) {
  console.log(`| ${header.join(' | ')} |`)
  console.log(`|${header.map(() => '---').join('|')}|`)
  for (const row of rows) console.log(`| ${cells(row).join(' | ')} |`)
  console.log(`\nLoad average (1, 5, 15 min) at the start: ${startLoad}; at the end: ${load()}.`)
} else {
  for (const row of rows) console.log(header.map((name, index) => `${name}: ${cells(row)[index]}`).join('; '))
  console.log(`load average at the start: ${startLoad}; at the end: ${load()}`)
}
