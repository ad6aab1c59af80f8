// Topic fan-out benchmark (issue 19), next to a plain queue send of the same messages: 10,000
// messages (100 B, batches of 100, 4 concurrent senders) into a durable emulator, to a queue and
// to a topic with 1, 10 and 50 subscriptions ($Default rules: every message copied to each); then
// the cost of SQL filter evaluation: a topic with 10 subscriptions whose SQL filters each match a
// tenth of the messages, next to 10 $Default subscriptions. The emulator and the SDK share this
// process (as the qjob/emulator fixture does in tests), so each ratio compares like with like.
// Run `npm run compile` first. Usage: node bench/emulator-topics.mjs [--count 10000] [--markdown]
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {ServiceBusClient} from '@azure/service-bus'

import {startServiceBusEmulator} from '../dist/emulator/servicebus/index.js'

const arg = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`)
  return index === -1 ? fallback : Number(process.argv[index + 1])
}
const count = arg('count', 10_000)
const BATCH = 100
const SENDERS = 4
const markdown = process.argv.includes('--markdown')
const work = mkdtempSync(join(tmpdir(), 'qjob-bench-topics-'))

async function timedSend(client, entity) {
  const body = 'x'.repeat(100)
  let next = 0
  const started = process.hrtime.bigint()
  await Promise.all(
    Array.from({length: SENDERS}, async () => {
      const sender = client.createSender(entity)
      while (next < count) {
        const start = next
        next += BATCH
        const messages = []
        for (let i = start; i < Math.min(start + BATCH, count); i++) messages.push({body, applicationProperties: {n: i}})
        await sender.sendMessages(messages)
      }
      await sender.close()
    }),
  )
  return Number(process.hrtime.bigint() - started) / 1e6
}

const rows = []
const emulator = await startServiceBusEmulator({port: 0, dataDir: work})
const client = new ServiceBusClient(emulator.connectionString)
try {
  const {broker} = emulator
  // Warm-up: connection, links, JIT.
  await broker.createQueue('warm')
  await timedSend(client, 'warm')
  await broker.reset()

  await broker.createQueue('plain')
  const queueMs = await timedSend(client, 'plain')
  rows.push({what: `queue send, ${count} messages`, ms: queueMs, ratio: 1})
  for (const subscriptions of [1, 10, 50]) {
    const topic = `fan-${subscriptions}`
    await broker.topics.create(topic)
    for (let i = 0; i < subscriptions; i++) await broker.topics.createSubscription(topic, `s${i}`)
    const ms = await timedSend(client, topic)
    const copies = broker
      .listSubscriptionPaths()
      .filter(path => path.startsWith(`${topic}/`))
      .reduce((sum, path) => sum + broker.runtimeCounts(path).activeMessageCount, 0)
    if (copies !== count * subscriptions) throw new Error(`expected ${count * subscriptions} copies, found ${copies}`)
    rows.push({what: `topic send to ${subscriptions} subscription(s) ($Default)`, ms, ratio: ms / queueMs})
    await broker.reset()
  }
  // SQL filters that every message matches (10 copies, as with $Default): the difference is the filters' cost.
  await broker.topics.create('sql-all')
  for (let i = 0; i < 10; i++)
    await broker.topics.createSubscription(
      'sql-all',
      `s${i}`,
      {},
      {name: 'all', filter: {kind: 'sql', sqlExpression: `n >= 0 AND n <> -${i + 1}`}, createdAt: 0},
    )
  const sqlAllMs = await timedSend(client, 'sql-all')
  rows.push({what: 'topic send to 10 subscriptions, SQL filters all matching', ms: sqlAllMs, ratio: sqlAllMs / queueMs})
  await broker.reset()
  await broker.topics.create('sql-10')
  for (let i = 0; i < 10; i++)
    await broker.topics.createSubscription(
      'sql-10',
      `s${i}`,
      {},
      {name: 'tenth', filter: {kind: 'sql', sqlExpression: `n % 10 = ${i} AND n >= 0`}, createdAt: 0},
    )
  const sqlMs = await timedSend(client, 'sql-10')
  const sqlCopies = Array.from({length: 10}, (_, i) => broker.runtimeCounts(`sql-10/Subscriptions/s${i}`).activeMessageCount).reduce(
    (a, b) => a + b,
    0,
  )
  if (sqlCopies !== count) throw new Error(`expected ${count} filtered copies, found ${sqlCopies}`)
  rows.push({what: 'topic send to 10 subscriptions, SQL filters (1 copy a message)', ms: sqlMs, ratio: sqlMs / queueMs})
  const defaultTen = rows.find(row => row.what.startsWith('topic send to 10 subscription(s)'))
  rows.push({
    what: 'SQL filter cost per message and subscription (all-matching SQL vs $Default)',
    ms: ((sqlAllMs - defaultTen.ms) / (count * 10)) * 1000,
    ratio: undefined,
    unit: 'µs',
  })
} finally {
  await client.close()
  await emulator.close()
  rmSync(work, {recursive: true, force: true})
}

if (markdown) {
  console.log('| what | time | msg/s | x queue send |\n|---|---:|---:|---:|')
  for (const row of rows) {
    if (row.unit) console.log(`| ${row.what} | ${row.ms.toFixed(2)} µs | – | – |`)
    else
      console.log(
        `| ${row.what} | ${row.ms.toFixed(0)} ms | ${Math.round((count / row.ms) * 1000).toLocaleString('en-US')} | ${row.ratio.toFixed(2)}x |`,
      )
  }
} else {
  for (const row of rows)
    console.log(row.unit ? `${row.what}: ${row.ms.toFixed(2)} µs` : `${row.what}: ${row.ms.toFixed(0)} ms (${row.ratio.toFixed(2)}x)`)
}
