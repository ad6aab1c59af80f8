// Topic fan-out from the CLI: `qjob send --topic T --count N` to a topic with S subscriptions,
// next to a plain SDK script sending the same messages to an identical topic, on the same durable
// in-process emulator. Run `npm run build` first.
// Usage: node bench/topic-send.mjs [--count 10000] [--size 1024] [--subscriptions 10] [--markdown]
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
const subscriptions = arg('subscriptions', 10)
const markdown = process.argv.includes('--markdown')

const {startServiceBusEmulator} = await import(join(root, 'dist/emulator/servicebus/index.js'))
const dataDir = mkdtempSync(join(tmpdir(), 'qjob-bench-topic-'))
const emulator = await startServiceBusEmulator({port: 0, dataDir})
const env = {
  ...process.env,
  SERVICEBUS_CONNECTION_STRING: emulator.connectionString,
  HOME: dataDir,
  XDG_CONFIG_HOME: join(dataDir, 'config'),
}
const qjob = join(root, 'bin/run.js')

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

async function topicWithSubscriptions(topic) {
  await timed([qjob, 'topic', 'create', topic])
  for (let i = 0; i < subscriptions; i++) await timed([qjob, 'subscription', 'create', `s${i}`, '--topic', topic])
}

function expectFannedOut(topic) {
  for (let i = 0; i < subscriptions; i++) {
    const active = emulator.broker.runtimeCounts(`${topic}/Subscriptions/s${i}`).activeMessageCount
    if (active !== count) throw new Error(`${topic}/s${i}: expected ${count} active messages, found ${active}`)
  }
}

let sdk
let cli
try {
  await topicWithSubscriptions('sdk')
  await topicWithSubscriptions('qjob')
  sdk = await timed(['bench/sdk/send.mjs', 'sdk', count, size])
  expectFannedOut('sdk')
  cli = await timed([qjob, 'send', '--topic', 'qjob', 'x'.repeat(size), '--count', String(count)])
  expectFannedOut('qjob')
} finally {
  await emulator.close()
  rmSync(dataDir, {recursive: true, force: true})
}

const name = `send --topic ${count} x ${size} B to ${subscriptions} subscriptions`
if (markdown) {
  console.log('| work | plain SDK script | qjob | qjob / script |')
  console.log('|---|---:|---:|---:|')
  console.log(
    `| ${name} | ${(count / sdk).toFixed(0)} msg/s (${sdk.toFixed(2)} s) | ${(count / cli).toFixed(0)} msg/s (${cli.toFixed(2)} s) | ${(sdk / cli).toFixed(2)}x |`,
  )
} else {
  console.log(`${name}: sdk ${(count / sdk).toFixed(0)} msg/s, qjob ${(count / cli).toFixed(0)} msg/s, ${(sdk / cli).toFixed(2)}x`)
}
