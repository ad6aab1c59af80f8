// One-off dynos: run attached (live output, the command's exit code) or detached (optionally
// waiting for the end through the dyno's log stream, where the platform reports the exit status).
import {readFileSync} from 'node:fs'

import {UsageError, OperationError, NotFoundError} from '../../common/errors.js'
import type {HerokuApi} from './api.js'
import {createOneOff, dynoInfo} from './dynos.js'
import {openLogStream, readLines} from './logs.js'
import {attachToDyno, withExitMarker} from './rendezvous.js'
import {appPath} from './session.js'
import type {Dyno} from './types.js'

export const MAX_TTL_S = 86_400
const STATUS_FROM_LOGS_TIMEOUT_MS = 10_000

export function checkTimeToLive(ttl: number | undefined): void {
  if (ttl !== undefined && (ttl < 1 || ttl > MAX_TTL_S)) {
    throw new UsageError(`--ttl ${ttl} is out of range`, {hint: `A one-off dyno lives from 1 to ${MAX_TTL_S} seconds (24 hours).`})
  }
}

/** `-e KEY=VALUE` flags → env; a malformed one is an error naming it. */
export function parseEnvFlags(values: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {}
  for (const value of values) {
    const match = /^(\w+)=(.*)$/s.exec(value)
    if (!match) throw new UsageError(`cannot read -e "${value}"`, {hint: 'Write -e KEY=VALUE (KEY: letters, digits, _).'})
    env[match[1]] = match[2]
  }
  return env
}

/** The arguments as one shell command: one argument is taken as written, several are quoted. */
export function buildCommand(args: readonly string[]): string {
  if (args.length === 0) return 'worker'
  if (args.length === 1) return args[0]
  return args.map(arg => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ')
}

export interface RunOptions {
  command: string
  env?: Record<string, string>
  size?: string
  timeToLive?: number
}

export interface AttachedRun {
  dyno: Dyno
  exitCode?: number
  interrupted: boolean
}

export async function runAttached(
  api: HerokuApi,
  app: string,
  options: RunOptions & {
    write: (text: string) => void
    signal?: AbortSignal
    onStart?: (dyno: Dyno) => void
    extraCa?: string
    /** Forwarded to the dyno (pipes: to their end, then EOF). */
    stdin?: NodeJS.ReadStream | NodeJS.ReadableStream
    /** A terminal for the dyno (qjob is on one): raw input, this window size. */
    terminal?: {columns?: number; rows?: number; term?: string}
  },
): Promise<AttachedRun> {
  const dyno = await createOneOff(api, app, {
    ...options,
    command: withExitMarker(options.command),
    attach: true,
    terminal: options.terminal,
  })
  if (!dyno.attach_url) throw new OperationError(`the API started ${dyno.name} without an attach URL`)
  options.onStart?.(dyno)
  const stop = () => api.post(appPath(app, `/dynos/${encodeURIComponent(dyno.name)}/actions/stop`)).catch(() => undefined)
  let result: Awaited<ReturnType<typeof attachToDyno>>
  try {
    result = await attachToDyno(dyno.attach_url, {
      write: options.write,
      signal: options.signal,
      extraCa: options.extraCa,
      stdin: options.stdin,
      tty: options.terminal !== undefined,
    })
  } catch (error) {
    // Nobody will ever attach to it: do not leave it waiting.
    await stop()
    throw error
  }
  if (result.interrupted) {
    // Ctrl-C: the dyno goes too (closing the connection also ends it, as on the platform).
    await stop()
    return {dyno, ...result}
  }
  if (result.exitCode === undefined) {
    // The command ended the shell itself (`exit 3`), so the marker never ran: the platform still
    // logs "Process exited with status N" for the dyno.
    const end = await waitForDyno(api, app, dyno.name, {signal: AbortSignal.timeout(STATUS_FROM_LOGS_TIMEOUT_MS)}).catch(() => undefined)
    return {dyno, exitCode: end?.exitCode, interrupted: false}
  }
  return {dyno, ...result}
}

export async function runDetached(api: HerokuApi, app: string, options: RunOptions): Promise<Dyno> {
  return createOneOff(api, app, {...options, attach: false})
}

export interface DetachedEnd {
  name: string
  exitCode?: number
  interrupted: boolean
}

const EXITED = /^\S+ heroku\[([^\]]+)\]: Process exited with status (\d+)/

/**
 * Waits for a detached dyno to end: the platform writes "Process exited with status N" to the
 * app's log stream. Falls back to the dyno's info when the stream ends without it.
 */
export async function waitForDyno(api: HerokuApi, app: string, name: string, options: {signal?: AbortSignal} = {}): Promise<DetachedEnd> {
  const stream = await openLogStream(api, app, {dynoName: name, tail: true, lines: 1500, source: 'heroku'})
  const onAbort = () => stream.destroy()
  options.signal?.addEventListener('abort', onAbort)
  try {
    for await (const line of readLines(stream)) {
      const match = EXITED.exec(line)
      if (match && match[1] === name) return {name, exitCode: Number(match[2]), interrupted: false}
    }
  } catch (error) {
    if (!options.signal?.aborted) throw error
  } finally {
    options.signal?.removeEventListener('abort', onAbort)
    stream.destroy()
  }
  if (options.signal?.aborted) return {name, interrupted: true}
  try {
    const dyno = await dynoInfo(api, app, name)
    throw new OperationError(`the log stream ended while ${name} is still ${dyno.state}`, {
      hint: `Follow it with "qjob logs -d ${name} -t".`,
    })
  } catch (error) {
    if (error instanceof NotFoundError) return {name, interrupted: false}
    throw error
  }
}

/**
 * Node reads NODE_EXTRA_CA_CERTS from the real environment only, at start-up. When it is set in
 * .env instead ("qjob emulator env >> .env"), qjob reads that certificate for the rendezvous itself.
 */
export function extraCaFromDotenv(envValue: (name: string) => string | undefined): string | undefined {
  if (process.env.NODE_EXTRA_CA_CERTS) return undefined
  const file = envValue('NODE_EXTRA_CA_CERTS')
  if (!file) return undefined
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    throw new UsageError(
      `cannot read NODE_EXTRA_CA_CERTS file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    )
  }
}
