// Messaging benchmark: qjob send / peek --all / receive / dlq resubmit --all / queue purge, each as
// its own process, next to a plain SDK script (bench/sdk/*.mjs) doing the same work on the same
// (durable, in-process) emulator in the same run. Wall time includes process start-up on both sides.
// The dead letters for resubmit are made by the emulator itself (a 1 ms queue TTL with
// dead-lettering on expiry, then the TTL is raised so the resubmitted copies live); the resubmitted
// messages are then what `queue purge` removes. Run `npm run build` first.
// Usage: node bench/messaging.mjs [--count 10000] [--dlq-count N (default: --count)] [--size 1024] [--markdown]
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {timedNode} from './emulator/processes.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const arg = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`)
  return index === -1 ? fallback : Number(process.argv[index + 1])
}
const count = arg('count', 10_000)
const dlqCount = arg('dlq-count', count)
const size = arg('size', 1024)
const markdown = process.argv.includes('--markdown')
const verbose = process.argv.includes('--verbose')
const note = text => verbose && process.stderr.write(`${new Date().toISOString()} ${text}\n`)

const {startServiceBusEmulator} = await import(join(root, 'dist/emulator/servicebus/index.js'))
const dataDir = mkdtempSync(join(tmpdir(), 'qjob-bench-msg-'))
const expiring = name => ({name, defaultMessageTimeToLive: 1, deadLetteringOnMessageExpiration: true})
const emulator = await startServiceBusEmulator({
  port: 0,
  dataDir,
  queues: [{name: 'sdk'}, {name: 'qjob'}, expiring('dlq-sdk'), expiring('dlq-qjob')],
})
const env = {
  ...process.env,
  SERVICEBUS_CONNECTION_STRING: emulator.connectionString,
  HOME: dataDir,
  XDG_CONFIG_HOME: join(dataDir, 'config'),
}

// The emulator runs in this process, so children run asynchronously (timedNode) and never block it.
const timed = async args => (await timedNode(args.map(String), {env, cwd: root})).seconds
const qjob = join(root, 'bin/run.js')
const rows = []
async function compare(name, n, sdkArgs, qjobArgs, check) {
  note(`${name}: sdk`)
  const sdk = await timed(sdkArgs)
  check?.('sdk')
  note(`${name}: qjob`)
  const cli = await timed(qjobArgs)
  check?.('qjob')
  rows.push({name, sdkRate: n / sdk, qjobRate: n / cli, sdk, cli})
}
const counts = queue => emulator.broker.runtimeCounts(queue)
const expect = (queue, field, n) => {
  if (counts(queue)[field] !== n) throw new Error(`${queue}: expected ${n} (${field}), found ${counts(queue)[field]}`)
}
const until = async test => {
  while (!test()) await new Promise(resolve => setTimeout(resolve, 100))
}

try {
  await compare(
    `send ${count} x ${size} B`,
    count,
    ['bench/sdk/send.mjs', 'sdk', count, size],
    [qjob, 'send', '-q', 'qjob', 'x'.repeat(size), '--count', count],
    who => expect(who, 'activeMessageCount', count),
  )
  await compare(
    `peek --all --ndjson (${count})`,
    count,
    ['bench/sdk/peek.mjs', 'sdk'],
    [qjob, 'peek', '-q', 'qjob', '--all', '--ndjson'],
    who => expect(who, 'activeMessageCount', count),
  )
  await compare(
    `receive -n ${count} --ndjson (peek-lock, complete)`,
    count,
    ['bench/sdk/receive-pipelined.mjs', 'sdk', count],
    [qjob, 'receive', '-q', 'qjob', '-n', count, '--ndjson'],
    who => expect(who, 'activeMessageCount', 0),
  )

  // Dead letters: sent with a 1 ms TTL, dead-lettered on expiry by the emulator.
  for (const queue of ['dlq-sdk', 'dlq-qjob']) await timed(['bench/sdk/send.mjs', queue, dlqCount, size])
  await until(() => counts('dlq-sdk').deadLetterMessageCount === dlqCount && counts('dlq-qjob').deadLetterMessageCount === dlqCount)
  for (const queue of ['dlq-sdk', 'dlq-qjob']) await emulator.broker.updateQueue(queue, {defaultMessageTimeToLiveMs: 14 * 24 * 3600 * 1000})
  const dlqWho = who => `dlq-${who}`
  await compare(
    `dlq resubmit --all (${dlqCount})`,
    dlqCount,
    ['bench/sdk/resubmit.mjs', 'dlq-sdk'],
    [qjob, 'dlq', 'resubmit', '-q', 'dlq-qjob', '--all'],
    who => {
      expect(dlqWho(who), 'deadLetterMessageCount', 0)
      expect(dlqWho(who), 'activeMessageCount', dlqCount)
    },
  )
  await compare(
    `queue purge (${dlqCount})`,
    dlqCount,
    ['bench/sdk/purge.mjs', 'dlq-sdk'],
    [qjob, 'queue', 'purge', 'dlq-qjob', '--yes'],
    who => expect(dlqWho(who), 'activeMessageCount', 0),
  )
} finally {
  await emulator.close()
  rmSync(dataDir, {recursive: true, force: true})
}

if (markdown) {
  console.log('| work | plain SDK script | qjob | qjob / script |')
  console.log('|---|---:|---:|---:|')
  for (const row of rows)
    console.log(
      `| ${row.name} | ${row.sdkRate.toFixed(0)} msg/s (${row.sdk.toFixed(2)} s) | ${row.qjobRate.toFixed(0)} msg/s (${row.cli.toFixed(2)} s) | ${(row.qjobRate / row.sdkRate).toFixed(2)}x |`,
    )
} else {
  for (const row of rows)
    console.log(
      `${row.name.padEnd(44)} sdk ${row.sdkRate.toFixed(0).padStart(7)} msg/s   qjob ${row.qjobRate.toFixed(0).padStart(7)} msg/s   ${(row.qjobRate / row.sdkRate).toFixed(2)}x`,
    )
}
