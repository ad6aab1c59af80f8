// The local Heroku Platform API: one app (a directory with a Procfile, config vars from its .env)
// whose dynos are real processes. One options object; everything is built here and closed by close().
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {basename, join, resolve} from 'node:path'

import {UsageError} from '../../common/errors.js'
import {loadOrCreateCertificate, type EmulatorCertificate} from '../certificate.js'
import {ConfigVars} from './config-vars.js'
import {DEFAULT_GRACE_PERIOD_MS, DEFAULT_HOST, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MEMORY_CHECK_MS} from './constants.js'
import {LogSessions} from './handlers/log-sessions.js'
import type {HandlerContext} from './handlers/context.js'
import {FaultInjector} from './http/faults.js'
import {RateLimiter, type RateLimitOptions} from './http/rate-limit.js'
import {createApiServer, type ApiExchange} from './http/server.js'
import {appNameFrom} from './ids.js'
import {DynoPidRecords} from './dyno-pids.js'
import {LogHub} from './log-hub.js'
import {checkMemory} from './memory-check.js'
import {loadFormation, loadOrCreateToken, newToken, saveFormation} from './persistence.js'
import {ProcfileError} from './procfile.js'
import {RendezvousServer} from './rendezvous.js'
import {AppStore} from './store.js'
import {Supervisor} from './supervisor.js'

export type {ApiExchange} from './http/server.js'
export type {FaultSpec} from './http/faults.js'

export interface HerokuEmulatorOptions {
  /** The directory holding the app's Procfile (and optional .env). */
  appDir: string
  /** 0 (default) picks a free port. */
  port?: number
  /** Default 127.0.0.1. */
  host?: string
  /** Default: the app directory's name, made a valid app name. */
  appName?: string
  /**
   * The API token clients must present. When absent: the one kept in dataDir (created on first
   * use), or a random one when there is no dataDir.
   */
  token?: string
  /**
   * Where the TLS certificate, the token and the formation are kept between runs (when absent, a
   * temp dir removed on close: nothing is kept).
   */
  dataDir?: string
  /** The cool-off before a crashing dyno's second restart (default 10 s, doubling to 20 min). */
  crashCoolOffMs?: number
  /** How often dynos' memory is checked for R14 (default 20 s, as log-runtime-metrics). */
  memoryCheckMs?: number
  /** Every dyno's memory quota in MB instead of its size's. */
  memoryQuotaMb?: number
  /** SIGTERM → SIGKILL delay when stopping dynos (default 30 s). */
  gracePeriodMs?: number
  /** A ready certificate for the rendezvous endpoint (else loaded or created in dataDir). */
  certificate?: EmulatorCertificate
  /** Most items a list returns per page (default 200, at most 1000). */
  pageSize?: number
  rateLimit?: RateLimitOptions
  /** Called after every API exchange (tests validate them against the schema). */
  onExchange?: (exchange: ApiExchange) => void
}

export interface HerokuEmulator {
  /** The HEROKU_API_URL to use, e.g. http://127.0.0.1:PORT */
  url: string
  token: string
  appName: string
  /** The certificate of the rendezvous endpoint (point NODE_EXTRA_CA_CERTS at certPath). */
  certificate: EmulatorCertificate
  faults: FaultInjector
  rateLimit: RateLimiter
  logs: LogHub
  store: AppStore
  close(): Promise<void>
}

export async function startHerokuEmulator(options: HerokuEmulatorOptions): Promise<HerokuEmulator> {
  const appDir = resolve(options.appDir)
  if (!existsSync(join(appDir, 'Procfile'))) {
    throw new UsageError(`${appDir} has no Procfile`, {
      hint: 'The local Heroku app is a directory with a Procfile, e.g. "worker: node worker.js".',
    })
  }
  const host = options.host ?? DEFAULT_HOST
  const appName = options.appName ?? appNameFrom(basename(appDir))
  if (!/^[a-z][a-z0-9-]{1,28}[a-z0-9]$/.test(appName)) {
    throw new UsageError(`"${appName}" is not a valid app name`, {
      hint: 'App names are 3 to 30 lowercase letters, digits and dashes, starting with a letter.',
    })
  }
  const token = options.token ?? (options.dataDir ? loadOrCreateToken(options.dataDir) : newToken())
  const temporaryDataDir = options.dataDir ? undefined : mkdtempSync(join(tmpdir(), 'qjob-heroku-'))
  const dataDir = options.dataDir ?? (temporaryDataDir as string)
  const certificate = options.certificate ?? (await loadOrCreateCertificate(dataDir))

  let store: AppStore
  try {
    store = new AppStore({appDir, appName, configFile: options.dataDir ? ConfigVars.fileFor(options.dataDir, appName) : undefined})
  } catch (error) {
    if (temporaryDataDir) rmSync(temporaryDataDir, {recursive: true, force: true})
    if (error instanceof ProcfileError) throw new UsageError(error.message, {hint: 'Each Procfile line is "type: command".'})
    throw error
  }
  const logs = new LogHub()
  const logSessions = new LogSessions()
  const rendezvous = await RendezvousServer.start({host, cert: certificate.cert, key: certificate.key})
  const pids = new DynoPidRecords(options.dataDir ? join(options.dataDir, `heroku-dynos-${appName}.json`) : undefined)
  const reaped = pids.reapLeftovers()
  if (reaped > 0) logs.append('heroku', 'api', `Stopped ${reaped} dyno process group(s) left by an earlier run`)
  const supervisor = new Supervisor({
    store,
    logs,
    rendezvous,
    pids,
    gracePeriodMs: options.gracePeriodMs ?? DEFAULT_GRACE_PERIOD_MS,
    crashCoolOffMs: options.crashCoolOffMs,
  })
  const memoryTimer = setInterval(() => checkMemory(supervisor, logs, options.memoryQuotaMb), options.memoryCheckMs ?? MEMORY_CHECK_MS)
  memoryTimer.unref()
  if (options.dataDir) {
    const keptIn = options.dataDir
    store.restoreFormation(loadFormation(keptIn, appName))
    store.onFormationChange = formation => saveFormation(keptIn, appName, formation)
  }
  const faults = new FaultInjector()
  const rateLimit = new RateLimiter(options.rateLimit)
  let baseUrl = ''
  const context: HandlerContext = {store, supervisor, logs, logSessions, baseUrl}
  const server = createApiServer({
    context: () => context,
    token,
    faults,
    rateLimit,
    pageSize: Math.min(options.pageSize ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
    onExchange: options.onExchange,
  })
  try {
    await new Promise<void>((resolvePromise, reject) => {
      server.once('error', reject)
      server.listen(options.port ?? 0, host, () => resolvePromise())
    })
  } catch (error) {
    await rendezvous.close()
    if (temporaryDataDir) rmSync(temporaryDataDir, {recursive: true, force: true})
    throw error
  }
  const {port} = server.address() as AddressInfo
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  context.baseUrl = baseUrl

  for (const entry of store.formationList()) if (entry.quantity > 0) supervisor.reconcile(entry.type)
  const killOnExit = () => supervisor.killAllNow()
  process.once('exit', killOnExit)
  let closed: Promise<void> | undefined
  return {
    url: baseUrl,
    token,
    appName,
    certificate,
    faults,
    rateLimit,
    logs,
    store,
    close() {
      closed ??= (async () => {
        process.off('exit', killOnExit)
        clearInterval(memoryTimer)
        logSessions.closeAll()
        await supervisor.close()
        server.closeAllConnections()
        await new Promise<void>(resolvePromise => server.close(() => resolvePromise()))
        await rendezvous.close()
        if (temporaryDataDir) rmSync(temporaryDataDir, {recursive: true, force: true})
      })()
      return closed
    },
  }
}

/** The settings a shell or CI job needs to use this emulator ("qjob emulator env"). */
export function herokuEmulatorEnv(emulator: Pick<HerokuEmulator, 'url' | 'token' | 'appName' | 'certificate'>): Record<string, string> {
  return {
    HEROKU_API_URL: emulator.url,
    HEROKU_API_KEY: emulator.token,
    HEROKU_APP: emulator.appName,
    NODE_EXTRA_CA_CERTS: emulator.certificate.certPath,
  }
}
