// Messaging benchmark: qjob send / peek --all / receive against a plain SDK script doing the same
// work on the same (durable, in-process) emulator, side by side. Run `npm run build` first.
// Usage: node bench/messaging.mjs [--count 10000] [--size 1024] [--markdown]
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const arg = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`)
  return index === -1 ? fallback : Number(process.argv[index + 1])
}
const count = arg('count', 10_000)
const size = arg('size', 1024)
const markdown = process.argv.includes('--markdown')

const {startServiceBusEmulator} = await import(join(root, 'dist/emulator/servicebus/index.js'))
const dataDir = mkdtempSync(join(tmpdir(), 'qjob-bench-msg-'))
const emulator = await startServiceBusEmulator({port: 0, dataDir, queues: [{name: 'sdk'}, {name: 'qjob'}]})
const env = {...process.env, SERVICEBUS_CONNECTION_STRING: emulator.connectionString, HOME: dataDir, XDG_CONFIG_HOME: join(dataDir, 'config')}

// The emulator runs in this process, so children must not block it: run them asynchronously.
function timed(args) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const child = spawn(process.execPath, args, {env, cwd: root, stdio: ['ignore', 'ignore', 'pipe']})
    let stderr = ''
    child.stderr.on('data', chunk => (stderr += chunk))
    child.on('close', code => {
      if (code !== 0) reject(new Error(`${args.join(' ')} exited ${code}: ${stderr}`))
      else resolve(Number(process.hrtime.bigint() - started) / 1e9)
    })
  })
}
const qjob = join(root, 'bin/run.js')
const rows = []
async function compare(name, sdkArgs, qjobArgs, check) {
  const sdk = await timed(sdkArgs)
  check?.('sdk')
  const cli = await timed(qjobArgs)
  check?.('qjob')
  rows.push({name, sdkRate: count / sdk, qjobRate: count / cli, sdk, cli})
}
const active = queue => emulator.broker.runtimeCounts(queue).activeMessageCount
const expect = (queue, n) => {
  if (active(queue) !== n) throw new Error(`${queue}: expected ${n} active messages, found ${active(queue)}`)
}

try {
  await compare(`send ${count} x ${size} B`, ['bench/sdk/send.mjs', 'sdk', count, size], [qjob, 'send', '-q', 'qjob', 'x'.repeat(size), '--count', String(count)], who => expect(who, count))
  await compare(`peek --all (${count})`, ['bench/sdk/peek.mjs', 'sdk'], [qjob, 'peek', '-q', 'qjob', '--all', '--ndjson'], who => expect(who, count))
  await compare(`receive ${count} (peek-lock, complete)`, ['bench/sdk/receive.mjs', 'sdk', count], [qjob, 'receive', '-q', 'qjob', '-n', String(count), '--ndjson'], who => expect(who, 0))
} finally {
  await emulator.close()
  rmSync(dataDir, {recursive: true, force: true})
}

if (markdown) {
  console.log('| work | plain SDK script | qjob | qjob / script |')
  console.log('|---|---:|---:|---:|')
  for (const row of rows) console.log(`| ${row.name} | ${row.sdkRate.toFixed(0)} msg/s (${row.sdk.toFixed(2)} s) | ${row.qjobRate.toFixed(0)} msg/s (${row.cli.toFixed(2)} s) | ${(row.qjobRate / row.sdkRate).toFixed(2)}x |`)
} else {
  for (const row of rows) console.log(`${row.name.padEnd(36)} sdk ${row.sdkRate.toFixed(0).padStart(7)} msg/s   qjob ${row.qjobRate.toFixed(0).padStart(7)} msg/s   ${(row.qjobRate / row.sdkRate).toFixed(2)}x`)
}
