// The emulator as a test fixture (`qjob/emulator`), loaded by the package name as another project
// would (package.json exports -> dist/):
//  1. import('qjob/emulator') in a fresh process;
//  2. startEmulator() to ready: the first call of a fresh process (certificate already in the
//     per-user cache), and later calls in the same process (a test file starting one per suite);
//  3. reset() with 10,000 messages queued (1 KB each, 100 of them peek-locked by a connected
//     receiver), in memory and durable (dataDir: the reset is logged and fsync'ed);
//  4. once: the first start on a machine, when the certificate has to be made.
// Targets (issue 12): start under 300 ms, reset under 50 ms. Run `npm run compile` first.
// Usage: node bench/emulator-fixture.mjs [--runs 7] [--count 10000] [--markdown]
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {performance} from 'node:perf_hooks'
import {fileURLToPath} from 'node:url'

import {ServiceBusClient} from '@azure/service-bus'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const arg = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`)
  return index === -1 ? fallback : Number(process.argv[index + 1])
}
const runs = arg('runs', 7)
const count = arg('count', 10_000)
const markdown = process.argv.includes('--markdown')
const work = mkdtempSync(join(tmpdir(), 'qjob-bench-fixture-'))

const median = values => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const ms = value => `${value.toFixed(1)} ms`

/** Runs a module script in a fresh node process in the repo (so `qjob/emulator` resolves) and returns its JSON output. */
function child(script, env = {}) {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    env: {...process.env, ...env},
    encoding: 'utf8',
  })
  if (result.status !== 0) throw new Error(`child failed: ${result.stderr}`)
  return JSON.parse(result.stdout.trim().split('\n').at(-1))
}

const coldScript = `
const t0 = performance.now()
const {startEmulator} = await import('qjob/emulator')
const t1 = performance.now()
const first = await startEmulator({queues: ['jobs', {name: 'orders', requiresSession: true}]})
const t2 = performance.now()
const later = []
for (let i = 0; i < 10; i++) {
  const t = performance.now()
  const e = await startEmulator({queues: ['jobs', {name: 'orders', requiresSession: true}]})
  later.push(performance.now() - t)
  await e.close()
}
await first.close()
console.log(JSON.stringify({importMs: t1 - t0, firstStartMs: t2 - t1, laterStartMs: later}))
`

const imports = []
const firstStarts = []
const laterStarts = []
// Warm the per-user certificate cache first (what every run after the first on a machine sees).
child(coldScript)
for (let i = 0; i < runs; i++) {
  const result = child(coldScript)
  imports.push(result.importMs)
  firstStarts.push(result.firstStartMs)
  laterStarts.push(...result.laterStartMs)
}
const noCache = child(coldScript, {XDG_CACHE_HOME: join(work, 'empty-cache')})

const {startEmulator} = await import('qjob/emulator')

async function resetTimes(options) {
  const emulator = await startEmulator({queues: ['jobs'], ...options})
  const client = new ServiceBusClient(emulator.connectionString)
  const sender = client.createSender('jobs')
  const receiver = client.createReceiver('jobs', {maxAutoLockRenewalDurationInMs: 0})
  const body = 'x'.repeat(1000)
  const times = []
  try {
    for (let round = 0; round < runs; round++) {
      for (let sent = 0; sent < count; sent += 200) {
        await sender.sendMessages(Array.from({length: Math.min(200, count - sent)}, () => ({body})))
      }
      let locked = 0
      while (locked < 100) locked += (await receiver.receiveMessages(100 - locked, {maxWaitTimeInMs: 2000})).length
      if (emulator.counts('jobs').active !== count) throw new Error(`expected ${count} messages, found ${emulator.counts('jobs').active}`)
      const t = performance.now()
      await emulator.reset()
      times.push(performance.now() - t)
      if (emulator.counts('jobs').active !== 0) throw new Error('reset left messages behind')
    }
    // The connected clients still work after the resets.
    await sender.sendMessages({body: 'after'})
    const [after] = await receiver.receiveMessages(1, {maxWaitTimeInMs: 5000})
    if (after?.body !== 'after') throw new Error('the receiver stopped working after reset')
    await receiver.completeMessage(after)
  } finally {
    await client.close()
    await emulator.close()
  }
  return times
}

const memoryResets = await resetTimes({})
const durableDir = join(work, 'durable')
const durableResets = await resetTimes({dataDir: durableDir})
rmSync(work, {recursive: true, force: true})

const rows = [
  ["import('qjob/emulator'), fresh process", median(imports), Math.min(...imports), Math.max(...imports), ''],
  ['startEmulator() to ready, first in a process', median(firstStarts), Math.min(...firstStarts), Math.max(...firstStarts), '< 300 ms'],
  ['startEmulator() to ready, later in the process', median(laterStarts), Math.min(...laterStarts), Math.max(...laterStarts), '< 300 ms'],
  [
    `reset() with ${count.toLocaleString('en')} messages, in memory`,
    median(memoryResets),
    Math.min(...memoryResets),
    Math.max(...memoryResets),
    '< 50 ms',
  ],
  [
    `reset() with ${count.toLocaleString('en')} messages, durable`,
    median(durableResets),
    Math.min(...durableResets),
    Math.max(...durableResets),
    '< 50 ms',
  ],
  [
    'startEmulator(), first on a machine (makes the certificate; once)',
    noCache.firstStartMs,
    noCache.firstStartMs,
    noCache.firstStartMs,
    '',
  ],
]

if (markdown) {
  console.log(
    `| measurement (${runs} runs; reset: ${count.toLocaleString('en')} x 1 KB queued, 100 locked by a connected receiver) | median | min | max | target |`,
  )
  console.log('|---|---|---|---|---|')
  for (const [name, mid, min, max, target] of rows) console.log(`| ${name} | ${ms(mid)} | ${ms(min)} | ${ms(max)} | ${target} |`)
} else {
  for (const [name, mid, min, max, target] of rows)
    console.log(`${name.padEnd(68)} median ${ms(mid).padStart(9)}  min ${ms(min).padStart(9)}  max ${ms(max).padStart(9)}  ${target}`)
}
