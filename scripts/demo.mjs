// `npm run demo`: qjob's whole job offline, on a fresh clone, with no cloud account.
// Starts the local emulator (Service Bus + Heroku API running examples/worker's Procfile), creates a
// queue and a Listen-only policy for the workers, sends jobs (one of them poison), schedules a few,
// scales two real worker processes that drain the queue, shows the dead letter and resubmits it,
// runs the same worker as a `qjob work` Procfile line, runs a one-off dyno and passes its exit code
// through, fires a recurring one-off dyno with `qjob cron`, then stops everything.
// Usage: node scripts/demo.mjs [--jobs 1000]
import {spawn, spawnSync} from 'node:child_process'
import {cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const qjobBin = join(root, 'bin', 'run.js')
const jobsFlag = process.argv.indexOf('--jobs')
const jobs = jobsFlag === -1 ? 1000 : Number(process.argv[jobsFlag + 1])
const tty = process.stdout.isTTY && !process.env.NO_COLOR
const bold = text => (tty ? `\u001B[1m${text}\u001B[22m` : text)
const dim = text => (tty ? `\u001B[2m${text}\u001B[22m` : text)
const QUEUE = 'demo-jobs'

const work = mkdtempSync(join(tmpdir(), 'qjob-demo-'))
const dataDir = join(work, 'emulator')
const appDir = join(work, 'demo-app')
const home = join(work, 'home')
// `qjob` on the PATH, as `npm install -g qjob` would put it: the Procfile's `jobs:` line runs it.
const binDir = join(work, 'bin')
mkdirSync(binDir)
symlinkSync(qjobBin, join(binDir, 'qjob'))
let env = {
  ...process.env,
  PATH: `${binDir}:${process.env.PATH}`,
  HOME: home,
  XDG_CONFIG_HOME: join(home, '.config'),
  NO_COLOR: tty ? process.env.NO_COLOR : '1',
}
for (const name of [
  'SERVICEBUS_CONNECTION_STRING',
  'SERVICEBUS_NAMESPACE',
  'QUEUE_NAME',
  'HEROKU_API_KEY',
  'HEROKU_APP',
  'HEROKU_API_URL',
  'AZURE_SUBSCRIPTION_ID',
])
  delete env[name]

function step(title) {
  console.log(`\n${bold(`▶ ${title}`)}`)
}

function showCommand(args) {
  console.log(dim(`$ qjob ${args.map(arg => (/[\s"{}]/.test(arg) ? `'${arg}'` : arg)).join(' ')}`))
}

/** Runs qjob as a user would; prints the command and its output unless `capture` (then returns it). */
function qjob(args, {capture = false, input, allowExit = [0]} = {}) {
  if (!capture) showCommand(args)
  const result = spawnSync(process.execPath, [qjobBin, ...args], {
    cwd: appDir,
    env,
    input,
    encoding: 'utf8',
    stdio: [input === undefined ? 'ignore' : 'pipe', capture ? 'pipe' : 'inherit', capture ? 'pipe' : 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  })
  if (!allowExit.includes(result.status)) {
    throw new Error(`qjob ${args.join(' ')} exited ${result.status}${capture ? `: ${result.stderr.trim()}` : ''}`)
  }
  return result
}

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

async function main() {
  step('A Heroku app with a queue worker (examples/worker: Procfile, worker.js, job.js, report.js)')
  cpSync(join(root, 'examples', 'worker'), appDir, {recursive: true, filter: source => !source.endsWith('.env')})
  symlinkSync(join(root, 'node_modules'), join(appDir, 'node_modules'))
  console.log(`app dir ${appDir}`)

  step('Start the local emulator: Service Bus (AMQP + admin API) and the Heroku Platform API')
  qjob(['emulator', 'start', '--port', '0', '--data-dir', dataDir])
  const settings = JSON.parse(qjob(['emulator', 'env', '--data-dir', dataDir, '--json'], {capture: true}).stdout)
  env = {...env, ...settings}
  console.log(dim('(eval "$(qjob emulator env)" exports the same settings in a shell)'))

  step('Create the queue and attach it to the app: a Listen-only policy, two config vars')
  qjob(['queue', 'create', QUEUE, '--max-delivery-count', '3', '--lock-duration', '30s'])
  qjob(['queue', 'attach', QUEUE, '--dry-run'])
  qjob(['queue', 'attach', QUEUE])
  qjob(['app', 'config', 'set', 'CONCURRENCY=8'])
  qjob(['app', 'config'])
  console.log(dim("(the Listen-only connection string is in the app's config vars; its key is never printed)"))

  step(`Send ${jobs} jobs, one of them poison`)
  const lines = Array.from({length: jobs}, (_, i) =>
    JSON.stringify({
      body: {id: i + 1, ms: 40, ...(i === Math.floor(jobs / 2) ? {poison: true} : {})},
      contentType: 'application/json',
      subject: 'double',
    }),
  )
  qjob(['send', '-q', QUEUE, '--ndjson'], {input: `${lines.join('\n')}\n`})

  step('Schedule three report jobs five seconds from now')
  qjob(['schedule', '-q', QUEUE, '{"id": 9000, "report": true}', '--in', '5s', '--count', '3', '--content-type', 'application/json'])
  qjob(['queue', 'show', QUEUE])

  step('Scale to two worker dynos: two real processes drain the queue')
  qjob(['scale', 'worker=2', '--wait'])
  qjob(['ps'])

  step('Watch the counts go to zero')
  const show = ['queue', 'show', QUEUE, '--json']
  showCommand(show)
  const deadline = Date.now() + 180_000
  for (;;) {
    const queue = JSON.parse(qjob(show, {capture: true}).stdout)
    const {active, scheduled, deadLetter} = queue.counts
    console.log(`active ${String(active).padStart(5)}   scheduled ${scheduled}   dead-lettered ${deadLetter}`)
    if (active === 0 && scheduled === 0) break
    if (Date.now() > deadline) throw new Error('the workers did not drain the queue within 3 minutes')
    await sleep(500)
  }

  step("The poison message is in the dead-letter queue, with the worker's reason")
  qjob(['dlq', 'peek', '-q', QUEUE])
  qjob(['dlq', 'resubmit', '-q', QUEUE, '--all'])
  for (let i = 0; i < 50 && JSON.parse(qjob(show, {capture: true}).stdout).counts.deadLetter === 0; i++) await sleep(200)
  qjob(['dlq', 'peek', '-q', QUEUE])
  console.log(dim('(the worker rejected it again, as it should: once the job or the worker is fixed, a resubmit is all it takes)'))

  step('The same worker as one Procfile line: jobs: qjob work --exec "node job.js"')
  const more = Array.from({length: Math.max(10, Math.floor(jobs / 5))}, (_, i) =>
    JSON.stringify({body: {id: 5000 + i, ms: 20}, contentType: 'application/json'}),
  )
  qjob(['scale', 'worker=0', 'jobs=2', '--wait'])
  qjob(['send', '-q', QUEUE, '--ndjson'], {input: `${more.join('\n')}\n`})
  for (let i = 0; i < 300 && JSON.parse(qjob(show, {capture: true}).stdout).counts.active > 0; i++) await sleep(200)
  qjob(['logs', '-p', 'jobs', '-n', '4'])

  step('A one-off dyno: output streamed, exit code passed through')
  qjob(['run-once', 'report'])
  const failed = qjob(['run-once', '-e', 'REPORT_EXIT_CODE=3', '--', 'report'], {allowExit: [3]})
  console.log(`qjob run-once exited with ${failed.status}, the command's own exit code`)

  step('A recurring job with no clock process to babysit: qjob cron fires report as a one-off dyno every 3 s')
  qjob(['cron', 'add', 'report', '--every', '3s', '--run-once', 'node report.js', '--ttl', '5m', '--replace'])
  showCommand(['cron', 'run'])
  const scheduler = spawn(process.execPath, [qjobBin, 'cron', 'run'], {cwd: appDir, env, stdio: ['ignore', 'inherit', 'inherit']})
  for (let i = 0; i < 100 && JSON.parse(qjob(['cron', 'show', 'report', '--json'], {capture: true}).stdout).history.length < 2; i++)
    await sleep(300)
  scheduler.kill('SIGTERM')
  await new Promise(resolve => scheduler.once('exit', resolve))
  qjob(['cron', 'list'])
  qjob(['cron', 'remove', 'report', '--yes'])

  step('Scale down and stop everything')
  qjob(['scale', 'jobs=0', '--wait'])
  qjob(['emulator', 'stop', '--data-dir', dataDir])
  stopped = true
}

let failure
let stopped = false
try {
  await main()
} catch (error) {
  failure = error
  console.error(`\ndemo failed: ${error.message}`)
} finally {
  if (!stopped) spawnSync(process.execPath, [qjobBin, 'emulator', 'stop', '--data-dir', dataDir], {env, stdio: 'ignore'})
  rmSync(work, {recursive: true, force: true})
}
if (failure) process.exit(1)
console.log(
  `\n${bold('Done.')} Everything above ran offline: the real @azure/service-bus SDK against qjob's emulator, and real processes for the Procfile.`,
)
