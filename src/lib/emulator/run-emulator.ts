// Runs every emulator service in this process: starts them, serves the control endpoint, writes
// the state file; close() undoes it all. `qjob emulator start --foreground` and the background
// process that plain `qjob emulator start` spawns both come here.
import {OperationError, UsageError} from '../../common/errors.js'
import {startControlServer} from './control-server.js'
import {SERVICES, type EmulatorRunOptions, type RunningService} from './services.js'
import {removeState, runningState, writeState, type EmulatorState} from './state-file.js'

export interface RunningEmulator {
  state: EmulatorState
  services: RunningService[]
  close(): Promise<void>
}

/** Start errors as the one-line errors users see (a busy port, a bad config file). */
function startError(error: unknown, options: EmulatorRunOptions): Error {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'EADDRINUSE') {
    return new OperationError(`port ${options.port} on ${options.host} is in use`, {
      hint: 'Choose another with --port (--port 0 picks a free one), or stop what uses it.',
    })
  }
  if (code === 'EACCES')
    return new OperationError(`cannot listen on port ${options.port}: permission denied`, {hint: 'Use a port above 1023.'})
  if ((error as Error).name === 'ConfigError') return new UsageError((error as Error).message)
  // A damaged message log or namespace file: refused rather than cut or replaced (exit 1).
  if ((error as Error).name === 'StartRefusedError')
    return new OperationError((error as Error).message, {hint: (error as {hint?: string}).hint})
  if ((error as Error).name === 'BrokerError' && /in use/.test((error as Error).message)) {
    return new OperationError((error as Error).message, {hint: 'Stop that emulator (qjob emulator stop) or use another --data-dir.'})
  }
  return error as Error
}

export async function runEmulator(options: EmulatorRunOptions & {logFile?: string}): Promise<RunningEmulator> {
  const existing = runningState(options.dataDir)
  if (existing && existing.pid !== process.pid) {
    throw new OperationError(`the emulator is already running (pid ${existing.pid}) with data in ${options.dataDir}`, {
      hint: 'Stop it with `qjob emulator stop`, or use another --data-dir.',
    })
  }
  const services: RunningService[] = []
  const closeServices = async () => {
    for (const service of [...services].reverse())
      await service.close().catch(error => options.logger.error(`${service.name}: ${(error as Error).message}`))
  }
  try {
    for (const start of SERVICES) {
      const service = await start(options)
      if (service) services.push(service)
    }
  } catch (error) {
    await closeServices()
    throw startError(error, options)
  }
  const control = await startControlServer({
    status: () => ({
      pid: process.pid,
      services: Object.fromEntries(
        services.map(service => [service.name, {endpoint: service.endpoint, port: service.port, ...(service.status() as object)}]),
      ),
    }),
    reset: async queue => {
      const results: Record<string, unknown> = {}
      for (const service of services) if (service.reset) results[service.name] = await service.reset(queue)
      return {services: results}
    },
  })
  const state: EmulatorState = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    dataDir: options.dataDir,
    inMemory: options.inMemory,
    logFile: options.logFile,
    control: {port: control.port, token: control.token},
    services: Object.fromEntries(services.map(service => [service.name, {endpoint: service.endpoint, port: service.port}])),
    env: Object.assign({}, ...services.map(service => service.env)),
    armEnv: Object.assign({}, ...services.map(service => service.armEnv ?? {})),
  }
  writeState(state)
  let closing: Promise<void> | undefined
  return {
    state,
    services,
    close() {
      closing ??= (async () => {
        await control.close()
        await closeServices()
        removeState(options.dataDir, process.pid)
      })()
      return closing
    },
  }
}

/** Resolves on the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise(resolve => {
    const handler = (signal: NodeJS.Signals) => {
      process.off('SIGINT', handler)
      process.off('SIGTERM', handler)
      resolve(signal)
    }
    process.on('SIGINT', handler)
    process.on('SIGTERM', handler)
  })
}
