// `npm run bench`: every benchmark in one run (a few minutes on a 2-core machine), each printing a
// markdown table for BENCHMARKS.md. Builds first if dist/ is missing.
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
if (!existsSync(join(root, 'dist', 'lib', 'entry.js'))) spawnSync('npm', ['run', 'build'], {cwd: root, stdio: 'inherit'})

const benches = [
  ['Start-up', ['bench/startup.mjs', '--runs', '21', '--markdown']],
  ['Service Bus emulator', ['bench/emulator.mjs', '--count', '100000', '--markdown']],
  ['Scheduling and peek', ['bench/emulator-scheduling.mjs', '--markdown']],
  ['AMQP over WebSockets', ['bench/emulator-websocket.mjs', '--markdown']],
  ['Messaging commands', ['bench/messaging.mjs', '--count', '10000', '--markdown']],
  ['Topic fan-out from the CLI', ['bench/topic-send.mjs', '--count', '10000', '--subscriptions', '10', '--markdown']],
  ['qjob work', ['bench/work.mjs', '--jobs', '300', '--markdown']],
  ['qjob autoscale', ['bench/autoscale.mjs', '--markdown']],
  ['qjob cron', ['bench/cron.mjs', '--markdown']],
  ['Emulator as a test fixture', ['bench/emulator-fixture.mjs', '--markdown']],
]

let failed = 0
for (const [title, args] of benches) {
  if (!existsSync(join(root, args[0]))) continue
  console.log(`\n## ${title} (\`node ${args.join(' ')}\`)\n`)
  const result = spawnSync(process.execPath, args, {cwd: root, stdio: 'inherit'})
  if (result.status !== 0) {
    failed++
    console.log(`(${title}: exited ${result.status})`)
  }
}
process.exit(failed === 0 ? 0 : 1)
