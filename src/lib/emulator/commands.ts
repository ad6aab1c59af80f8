// What the `qjob emulator` commands do, kept out of the command files: data dir defaults, the
// foreground run, status and env lookups, and their human output.
import {join, resolve} from 'node:path'

import {streamLogger} from '../../emulator/servicebus/logger.js'
import {NotFoundError, UsageError} from '../../common/errors.js'
import {formatTable} from '../output.js'
import {ControlError, fetchStatus, requestReset} from './control-server.js'
import {startInBackground, type BackgroundOptions, type ReadyMessage} from './background.js'
import {runEmulator, untilSignal} from './run-emulator.js'
import type {ServiceBusStatus} from './services.js'
import {removeState, runningState, type EmulatorState} from './state-file.js'

export const DEFAULT_HOST = '127.0.0.1'

/** `--data-dir`, else `<oclif data dir>/emulator` ($XDG_DATA_HOME/qjob/emulator). */
export function emulatorDataDir(oclifDataDir: string, flag?: string): string {
  return flag ? resolve(flag) : join(oclifDataDir, 'emulator')
}

export interface StartOptions {
  dataDir: string
  port: number
  inMemory: boolean
  configFile?: string
  appDir: string
  appDirExplicit?: boolean
  herokuPort?: number
  /** A new namespace key instead of the one kept in the data directory. */
  resetKeys?: boolean
}

/** Runs until SIGINT/SIGTERM. A parent waiting over IPC (background start) is told when ready. */
export async function runForeground(options: StartOptions, onReady: (state: EmulatorState) => void): Promise<void> {
  const send = (message: ReadyMessage) => process.send?.(message)
  let running
  try {
    running = await runEmulator({
      ...options,
      configFile: options.configFile ? resolve(options.configFile) : undefined,
      appDir: resolve(options.appDir),
      host: DEFAULT_HOST,
      logger: streamLogger(process.stderr, process.env.QJOB_EMULATOR_DEBUG ? 'debug' : 'info'),
      logFile: process.env.QJOB_EMULATOR_LOG,
    })
  } catch (error) {
    const qjobError = error as Error & {hint?: string; exitCode?: number}
    send({type: 'error', message: qjobError.message, hint: qjobError.hint, exitCode: qjobError.exitCode})
    throw error
  }
  const signal = untilSignal()
  if (process.send) {
    send({type: 'ready', state: running.state})
    process.disconnect?.()
  } else {
    onReady(running.state)
  }
  await signal
  // Stop is bounded: whatever still runs after this long does not keep the process alive.
  setTimeout(() => process.exit(1), STOP_BOUND_MS).unref()
  await running.close()
}

const STOP_BOUND_MS = 15_000

export function startBackground(options: StartOptions & Pick<BackgroundOptions, 'entryScript'>): Promise<EmulatorState> {
  return startInBackground(options)
}

/** `dataDirFlag`: the --data-dir the user gave, repeated in the hints so they reach this emulator. */
export function startedSummary(state: EmulatorState, {foreground, dataDirFlag}: {foreground: boolean; dataDirFlag?: string}): string {
  const where =
    dataDirFlag === undefined ? '' : ` --data-dir ${/^[\w./:@%+=-]+$/.test(dataDirFlag) ? dataDirFlag : shellQuote(dataDirFlag)}`
  const lines = [`Emulator running (pid ${state.pid}), ${state.inMemory ? 'messages in memory' : `data in ${state.dataDir}`}`]
  const titles: Record<string, string> = {servicebus: 'Service Bus', heroku: 'Heroku API'}
  for (const [name, service] of Object.entries(state.services)) lines.push(`  ${titles[name] ?? name}: ${service.endpoint}`)
  if (state.logFile) lines.push(`  log: ${state.logFile}`)
  lines.push('', 'Use it in this shell:', `  eval "$(qjob emulator env${where})"`)
  lines.push(foreground ? 'Ctrl-C stops it.' : `Stop it with: qjob emulator stop${where}`)
  return lines.join('\n')
}

function notRunning(dataDir: string): NotFoundError {
  return new NotFoundError(`the emulator is not running (data dir ${dataDir})`, {hint: 'Start it with `qjob emulator start`.'})
}

export interface EmulatorStatusReport {
  running: true
  pid: number
  startedAt: string
  dataDir: string
  inMemory: boolean
  logFile?: string
  services: Record<string, {endpoint: string; port: number} & Partial<ServiceBusStatus>>
}

export async function emulatorStatus(dataDir: string): Promise<EmulatorStatusReport> {
  const state = runningState(dataDir)
  if (!state) throw notRunning(dataDir)
  let live: {services: EmulatorStatusReport['services']}
  try {
    live = (await fetchStatus(state.control)) as typeof live
  } catch (error) {
    // The pid lives (or was reused) but nothing answers on the control port: a stale state file.
    const code = (error as NodeJS.ErrnoException).code
    if (error instanceof ControlError || (code !== 'ECONNREFUSED' && code !== 'ECONNRESET')) throw error
    removeState(dataDir, state.pid)
    throw new NotFoundError(
      `the emulator is not running (stale state for pid ${state.pid} in ${dataDir}: its control port ${state.control.port} refuses connections; removed)`,
      {
        hint: 'Start it with `qjob emulator start`.',
      },
    )
  }
  return {
    running: true,
    pid: state.pid,
    startedAt: state.startedAt,
    dataDir: state.dataDir,
    inMemory: state.inMemory,
    logFile: state.logFile,
    services: live.services,
  }
}

export function formatStatus(status: EmulatorStatusReport): string {
  const lines = [
    `Emulator running (pid ${status.pid}) since ${status.startedAt}, ${status.inMemory ? 'messages in memory' : `data in ${status.dataDir}`}`,
  ]
  const serviceBus = status.services.servicebus
  if (serviceBus) {
    lines.push(`Service Bus: ${serviceBus.endpoint}`)
    const queues = serviceBus.queues ?? []
    lines.push(
      queues.length === 0
        ? 'No queues.'
        : formatTable(queues, [
            {header: 'QUEUE', get: queue => queue.name},
            {header: 'ACTIVE', get: queue => queue.activeMessageCount, align: 'right'},
            {header: 'DEAD-LETTER', get: queue => queue.deadLetterMessageCount, align: 'right'},
            {header: 'SCHEDULED', get: queue => queue.scheduledMessageCount, align: 'right'},
            {header: 'DEFERRED', get: queue => queue.deferredMessageCount, align: 'right'},
            {header: 'BYTES', get: queue => queue.sizeInBytes, align: 'right'},
          ]),
    )
  }
  const heroku = status.services.heroku as {endpoint: string; app?: string; appDir?: string} | undefined
  if (heroku) lines.push(`Heroku API: ${heroku.endpoint} (app ${heroku.app ?? '?'} in ${heroku.appDir ?? '?'})`)
  return lines.join('\n')
}

/** A queue's counts in the JSON of every qjob command: the names of `queue show --json`. */
export interface QueueCountsJson {
  name: string
  counts: {active: number; deadLetter: number; scheduled: number; deferred: number}
  sizeInBytes?: number
}

function countsJson(queue: QueueReset & {sizeInBytes?: number}): QueueCountsJson {
  const counts = {
    active: queue.activeMessageCount,
    deadLetter: queue.deadLetterMessageCount,
    scheduled: queue.scheduledMessageCount,
    deferred: queue.deferredMessageCount,
  }
  return queue.sizeInBytes === undefined ? {name: queue.name, counts} : {name: queue.name, counts, sizeInBytes: queue.sizeInBytes}
}

/** `emulator status --json`: the report with each queue's (and subscription's) counts named as in `queue show --json`. */
export function statusJson(status: EmulatorStatusReport): unknown {
  const services = Object.fromEntries(
    Object.entries(status.services).map(([name, service]) => {
      if (!service.queues) return [name, service]
      const subscriptions = service.subscriptions ? {subscriptions: service.subscriptions.map(countsJson)} : {}
      return [name, {...service, queues: service.queues.map(countsJson), ...subscriptions}]
    }),
  )
  return {...status, services}
}

/** `emulator reset --json`: what each queue held, named as in `queue show --json`. */
export function resetJson(result: {queues: QueueReset[]}): {queues: QueueCountsJson[]} {
  return {queues: result.queues.map(countsJson)}
}

export function emulatorEnv(dataDir: string, {arm = false} = {}): Record<string, string> {
  const state = runningState(dataDir)
  if (!state) throw notRunning(dataDir)
  return arm ? {...state.env, ...state.armEnv} : state.env
}

/** POSIX shell single quotes: safe for any value. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`
}

export function exportLines(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([name, value]) => `export ${name}=${shellQuote(value)}\n`)
    .join('')
}

export interface QueueReset {
  name: string
  activeMessageCount: number
  scheduledMessageCount: number
  deferredMessageCount: number
  deadLetterMessageCount: number
}

/** Empties the running emulator's queues (or one) through its control endpoint. */
export async function resetEmulator(dataDir: string, queue?: string): Promise<{queues: QueueReset[]}> {
  const state = runningState(dataDir)
  if (!state) throw notRunning(dataDir)
  try {
    const result = (await requestReset(state.control, queue)) as {services: {servicebus?: {queues: QueueReset[]}}}
    return {queues: result.services.servicebus?.queues ?? []}
  } catch (error) {
    if (error instanceof ControlError && error.status === 404) {
      throw new NotFoundError(error.message, {hint: '`qjob emulator status` lists the queues.'})
    }
    throw error
  }
}

export function formatReset(result: {queues: QueueReset[]}): string {
  if (result.queues.length === 0) return 'No queues to empty.'
  const parts = (queue: QueueReset) => {
    const held = [
      [queue.activeMessageCount, 'active'],
      [queue.scheduledMessageCount, 'scheduled'],
      [queue.deferredMessageCount, 'deferred'],
      [queue.deadLetterMessageCount, 'dead-lettered'],
    ].filter(([count]) => Number(count) > 0)
    return held.length === 0 ? 'was empty' : `removed ${held.map(([count, what]) => `${count} ${what}`).join(', ')}`
  }
  return [
    `Emptied ${result.queues.length} queue${result.queues.length === 1 ? '' : 's'} (settings and policies kept):`,
    ...result.queues.map(queue => `  ${queue.name}: ${parts(queue)}`),
  ].join('\n')
}

/**
 * Reads a config file as `emulator start` will (ours or Microsoft's format): a bad file is a usage
 * error before anything starts; returns what the file declares that the emulator does not serve.
 */
export async function configWarnings(configFile: string | undefined): Promise<string[]> {
  if (!configFile) return []
  const {readConfigFile} = await import('../../emulator/servicebus/config/namespace-config.js')
  try {
    return readConfigFile(resolve(configFile)).warnings ?? []
  } catch (error) {
    throw new UsageError((error as Error).message, {hint: 'See `qjob emulator start --help` for the config formats.'})
  }
}
