// A local Platform API for one test file: an app directory with a Procfile, the emulator on a free
// port with every exchange validated against the schema, and a qjob runner whose environment
// points at it (HEROKU_API_URL, HEROKU_API_KEY, HEROKU_APP, NODE_EXTRA_CA_CERTS).
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {loadOrCreateCertificate, type EmulatorCertificate} from '../../../src/emulator/certificate.js'
import {
  herokuEmulatorEnv,
  startHerokuEmulator,
  type ApiExchange,
  type HerokuEmulator,
  type HerokuEmulatorOptions,
} from '../../../src/emulator/heroku/index.js'
import {formatLogLine} from '../../../src/emulator/heroku/log-hub.js'
import {cleanEnv, runCli, tempDir, type CliResult} from '../../helpers/cli.js'
import {validateExchange} from './schema.js'

export const APP_NAME = 'qjob-test-app'

let certificate: Promise<EmulatorCertificate> | undefined

/** One certificate per test process (in its own temp dir, so parallel files never share a file). */
function testCertificate(): Promise<EmulatorCertificate> {
  certificate ??= loadOrCreateCertificate(tempDir('qjob-test-cert-').path)
  return certificate
}

export interface LocalHerokuOptions extends Partial<HerokuEmulatorOptions> {
  procfile: string
  dotenv?: string
}

export interface LocalHeroku {
  emulator: HerokuEmulator
  appDir: string
  home: string
  exchanges: ApiExchange[]
  violations: string[]
  /** qjob runs whose output contained the API token (must stay empty). */
  leaks: string[]
  /** Resolves with the first log line (formatted) that matches, already logged or still to come. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv
  qjob(args: string[], options?: {env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number}): Promise<CliResult>
  close(): Promise<void>
}

export async function startLocalHeroku(options: LocalHerokuOptions): Promise<LocalHeroku> {
  const dir = tempDir('qjob-heroku-test-')
  const appDir = join(dir.path, 'app')
  const home = join(dir.path, 'home')
  mkdirSync(appDir)
  mkdirSync(home)
  writeFileSync(join(appDir, 'Procfile'), options.procfile)
  if (options.dotenv) writeFileSync(join(appDir, '.env'), options.dotenv)
  const exchanges: ApiExchange[] = []
  const violations: string[] = []
  const leaks: string[] = []
  const {procfile: _procfile, dotenv: _dotenv, ...rest} = options
  const emulator = await startHerokuEmulator({
    appName: APP_NAME,
    gracePeriodMs: 3000,
    certificate: await testCertificate(),
    ...rest,
    appDir,
    onExchange: exchange => {
      exchanges.push(exchange)
      violations.push(...validateExchange(exchange))
    },
  })
  const env = (extra: NodeJS.ProcessEnv = {}) => cleanEnv(home, {...herokuEmulatorEnv(emulator), ...extra})
  return {
    emulator,
    appDir,
    home,
    exchanges,
    violations,
    leaks,
    env,
    async qjob(args, runOptions = {}) {
      const result = await runCli(args, {cwd: runOptions.cwd ?? home, env: runOptions.env ?? env(), timeoutMs: runOptions.timeoutMs})
      if (`${result.stdout}${result.stderr}`.includes(emulator.token)) leaks.push(`qjob ${args.join(' ')}`)
      return result
    },
    waitForLog: (pattern, timeoutMs = 15_000) => waitForLog(emulator, pattern, timeoutMs),
    async close() {
      await emulator.close()
      dir.cleanup()
    },
  }
}

/** A Node one-liner for a Procfile line (double quotes inside are escaped for the shell). */
export function nodeCommand(script: string): string {
  return `node -e "${script.replace(/(["\\$`])/g, '\\$1')}"`
}

function waitForLog(emulator: HerokuEmulator, pattern: RegExp, timeoutMs: number): Promise<string> {
  const seen = emulator.logs
    .recent({}, 1500)
    .map(formatLogLine)
    .find(line => pattern.test(line))
  if (seen) return Promise.resolve(seen)
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe()
      reject(new Error(`no log line matched ${pattern} within ${timeoutMs} ms`))
    }, timeoutMs)
    const unsubscribe = emulator.logs.subscribe(line => {
      const text = formatLogLine(line)
      if (!pattern.test(text)) return
      clearTimeout(timer)
      unsubscribe()
      resolve(text)
    })
  })
}
