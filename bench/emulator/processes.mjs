// Child processes shared by the benchmarks: an emulator host (host.mjs) driven over IPC, and
// timed node scripts (the qjob CLI or plain SDK scripts) whose output is kept or dropped.
import {performance} from 'node:perf_hooks'
import {fork, spawn} from 'node:child_process'
import {once} from 'node:events'
import {readdirSync, statSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const hostScript = join(dirname(fileURLToPath(import.meta.url)), 'host.mjs')
const root = join(dirname(fileURLToPath(import.meta.url)), '../..')
/** The Node flags and environment `qjob emulator start` gives its background emulator process. */
export const {emulatorLaunch} = await import(join(root, 'dist/lib/emulator/process-tuning.js'))

/**
 * Starts an emulator in its own process, run the way `qjob emulator start` runs its background
 * process (its Node flags and environment); resolves once it serves, with spawn-to-ready time.
 */
export async function startEmulatorHost(options) {
  const started = performance.now()
  const launch = emulatorLaunch()
  const child = fork(hostScript, [JSON.stringify(options)], {
    execArgv: [...launch.execArgv, '--expose-gc'],
    env: launch.env,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  const exited = once(child, 'exit')
  const [ready] = await Promise.race([
    once(child, 'message'),
    exited.then(([code]) => Promise.reject(new Error(`emulator host exited ${code}`))),
  ])
  const readyMs = performance.now() - started
  const ask = async (request, type) => {
    child.send(request)
    for (;;) {
      const [reply] = await once(child, 'message')
      if (reply.type === type) return reply
    }
  }
  return {
    child,
    connectionString: ready.connectionString,
    readyMs,
    openMs: ready.openMs,
    memory: () => ask({type: 'rss'}, 'rss'),
    counts: queue => ask({type: 'counts', queue}, 'counts').then(reply => reply.counts),
    async stop() {
      if (child.exitCode !== null) return
      child.send({type: 'close'})
      await exited
    },
    kill: () => child.exitCode === null && child.kill('SIGKILL'),
  }
}

/** Runs `node ...args`; resolves with wall seconds (spawn to exit), stdout (if kept) and stderr. */
export function timedNode(args, {env, cwd, keepStdout = false} = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, args, {env, cwd, stdio: ['ignore', keepStdout ? 'pipe' : 'ignore', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', chunk => (stdout += chunk))
    child.stderr.on('data', chunk => (stderr += chunk))
    child.on('close', code => {
      if (code !== 0) reject(new Error(`node ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`))
      else resolve({seconds: (performance.now() - started) / 1000, stdout, stderr})
    })
  })
}

/** Bytes of every file under a directory. */
export function directoryBytes(dir) {
  let total = 0
  for (const entry of readdirSync(dir, {withFileTypes: true})) {
    const path = join(dir, entry.name)
    total += entry.isDirectory() ? directoryBytes(path) : statSync(path).size
  }
  return total
}

/** The last JSON line a script wrote to stderr (the plain SDK scripts report their own timings there). */
export const lastJsonLine = text => JSON.parse(text.trim().split('\n').at(-1))
