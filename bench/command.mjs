// A Service Bus command from start to exit, as a CI step runs it: `qjob send -q Q BODY` (connect,
// authenticate, send one message, close) against an emulator in its own process, next to
// bench/sdk/send-one.mjs (the same with the SDK alone) and bare `node -e 0`, interleaved runs,
// medians. Start-up (the SDK's load) is most of it: bench/startup.mjs has the commands that need
// no service. Run `npm run build` first. Usage: node bench/command.mjs [--runs 15] [--markdown]
import {spawn, spawnSync} from 'node:child_process'
import {once} from 'node:events'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const qjob = join(root, 'bin/run.js')
const runsFlag = process.argv.indexOf('--runs')
const runs = runsFlag === -1 ? 15 : Number(process.argv[runsFlag + 1])
const markdown = process.argv.includes('--markdown')
const home = mkdtempSync(join(tmpdir(), 'qjob-bench-command-'))
const env = {...process.env, HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_DATA_HOME: join(home, 'data')}
const dataDir = join(home, 'emulator')
writeFileSync(join(home, 'queues.json'), JSON.stringify({queues: [{name: 'bench'}]}))

const emulator = spawn(
  process.execPath,
  [qjob, 'emulator', 'start', '--foreground', '--in-memory', '--port', '0', '--data-dir', dataDir, '--config', join(home, 'queues.json')],
  {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  },
)
let said = ''
for (const stream of [emulator.stdout, emulator.stderr]) stream.on('data', chunk => (said += chunk))
try {
  for (let i = 0; i < 300 && !said.includes('Ctrl-C'); i++) await new Promise(resolve => setTimeout(resolve, 100))
  const printed = spawnSync(process.execPath, [qjob, 'emulator', 'env', '--data-dir', dataDir], {env, encoding: 'utf8'}).stdout
  const connectionString = /SERVICEBUS_CONNECTION_STRING='?([^'\n]+)/.exec(printed)?.[1]
  if (!connectionString) throw new Error(`no connection string from the emulator: ${said}`)
  const runEnv = {...env, SERVICEBUS_CONNECTION_STRING: connectionString}
  const cases = [
    {name: 'node -e 0 (baseline)', args: ['-e', '0']},
    {name: 'plain SDK script: send one message', args: [join(root, 'bench/sdk/send-one.mjs'), 'bench', 'hello']},
    {name: 'qjob send -q bench hello', args: [qjob, 'send', '-q', 'bench', 'hello']},
  ]
  const samples = cases.map(() => [])
  for (let run = 0; run <= runs; run++) {
    for (const [index, item] of cases.entries()) {
      const started = process.hrtime.bigint()
      const result = spawnSync(process.execPath, item.args, {env: runEnv, stdio: ['ignore', 'ignore', 'pipe']})
      if (result.status !== 0) throw new Error(`${item.name} exited ${result.status}: ${result.stderr}`)
      if (run > 0) samples[index].push(Number(process.hrtime.bigint() - started) / 1e6) // run 0 warms the file cache
    }
  }
  const median = values => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
  const [node, sdk, command] = samples.map(median)
  if (markdown) {
    console.log(`| command | median ms (${runs} runs) | x node | x plain SDK script |`)
    console.log('|---|---:|---:|---:|')
    for (const [index, item] of cases.entries()) {
      const value = [node, sdk, command][index]
      console.log(`| \`${item.name}\` | ${value.toFixed(1)} | ${(value / node).toFixed(2)} | ${(value / sdk).toFixed(2)} |`)
    }
  } else {
    console.log(
      `node -e 0 ${node.toFixed(1)} ms; plain SDK send ${sdk.toFixed(1)} ms; qjob send ${command.toFixed(1)} ms = ${(command / sdk).toFixed(2)}x the SDK script`,
    )
  }
} finally {
  emulator.kill('SIGTERM')
  await once(emulator, 'exit')
  rmSync(home, {recursive: true, force: true})
}
