// Runs bin/run.js exactly as a user would, in an isolated HOME and config dir, and captures
// stdout, stderr and the exit code.
import {spawn} from 'node:child_process'
import {randomUUID} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const binPath = join(repoRoot, 'bin', 'run.js')

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface CliOptions {
  cwd?: string
  env?: NodeJS.ProcessEnv
  input?: string | Buffer
  home?: string
  timeoutMs?: number
  /** Node options before bin/run.js (preloads). */
  nodeArgs?: string[]
}

/** A temp dir removed by the returned cleanup function. */
export function tempDir(prefix = 'qjob-test-'): {path: string; cleanup: () => void} {
  const path = mkdtempSync(join(tmpdir(), prefix))
  return {path, cleanup: () => rmSync(path, {recursive: true, force: true})}
}

/** Environment without the caller's qjob/Azure/Heroku settings, so tests never see a real account. */
export function cleanEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(SERVICEBUS_|AZURE_|HEROKU_|QUEUE_NAME|QJOB_|DEBUG$|NO_COLOR$|FORCE_COLOR$|OCLIF_COLUMNS$|NODE_OPTIONS$)/.test(key)) continue
    env[key] = value
  }
  return {...env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, '.local', 'share'), ...extra}
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const home = options.home ?? options.cwd ?? tmpdir()
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), binPath, ...args], {
      cwd: options.cwd ?? home,
      env: options.env ?? cleanEnv(home),
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 60_000,
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', chunk => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', chunk => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code, signal) => resolvePromise({code, signal, stdout, stderr}))
    child.stdin.end(options.input ?? '')
  })
}

/** runCli with the module-trace preloads: the result and every module the run loaded (a path a line). */
export async function runCliTraced(args: string[], options: CliOptions & {home: string}): Promise<CliResult & {modules: string}> {
  const traceFile = join(options.home, `trace-${randomUUID()}.txt`)
  const result = await runCli(args, {
    ...options,
    env: {...(options.env ?? cleanEnv(options.home)), QJOB_TRACE_FILE: traceFile},
    // Without require(esm), bin/run.js loads dist/ with import(), which the ESM trace's hooks see
    // whole (an ES module graph that require() loads passes them by); the modules are the same.
    nodeArgs: [
      '--no-experimental-require-module',
      '--require',
      join(repoRoot, 'test/fixtures/trace-cjs.cjs'),
      '--import',
      join(repoRoot, 'test/fixtures/trace-esm.mjs'),
    ],
  })
  return {...result, modules: readFileSync(traceFile, 'utf8')}
}
