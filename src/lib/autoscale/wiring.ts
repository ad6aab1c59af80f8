// What `qjob autoscale` runs: the Heroku session and the management backend opened as the other
// commands open them, the loop between them, and its events printed one line each.
import type {Settings} from '../config.js'
import {connectHeroku} from '../heroku/session.js'
import {openBackend, type ManagementFlags} from '../management/backend.js'
import {redact} from '../../common/redact.js'
import type {AutoscaleConfig} from './decide.js'
import {eventJson, formatEvent} from './format.js'
import {runAutoscaler, type AutoscaleEvent, type AutoscaleSummary} from './loop.js'
import {herokuFormation, queueCounts} from './sources.js'

export interface AutoscaleCommandOptions {
  queue: string
  type: string
  app?: string
  remote?: string
  management: ManagementFlags
  config: AutoscaleConfig
  intervalMs: number
  once: boolean
  dryRun: boolean
  json: boolean
  signal?: AbortSignal
  stdout?: NodeJS.WritableStream
  stderr?: NodeJS.WritableStream
}

/** Decisions go to stdout, failures to stderr; text or JSON lines, secrets redacted either way. */
export function eventPrinter(options: {
  json: boolean
  config: AutoscaleConfig
  stdout?: NodeJS.WritableStream
  stderr?: NodeJS.WritableStream
}): (event: AutoscaleEvent) => void {
  const stdout = options.stdout ?? process.stdout
  const stderr = options.stderr ?? process.stderr
  return event => {
    const line = options.json ? JSON.stringify(eventJson(event, options.config)) : formatEvent(event, options.config)
    ;(event.event === 'error' ? stderr : stdout).write(`${redact(line)}\n`)
  }
}

export async function runAutoscaleCommand(settings: Settings, options: AutoscaleCommandOptions): Promise<AutoscaleSummary> {
  const {api, app} = await connectHeroku(settings, {
    app: options.app,
    remote: options.remote,
    // A decision is worth little once the next one is due: retries stay within one interval.
    api: {retry: {maxAttempts: 4, maxTotalMs: Math.min(options.intervalMs, 30_000)}},
  })
  const backend = await openBackend(settings, options.management)
  try {
    return await runAutoscaler({
      queue: options.queue,
      type: options.type,
      config: options.config,
      intervalMs: options.intervalMs,
      counts: queueCounts(backend, options.queue),
      formation: herokuFormation(api, app, options.type),
      emit: eventPrinter(options),
      dryRun: options.dryRun,
      maxTicks: options.once ? 1 : undefined,
      signal: options.signal,
      throwOnFirstRead: true,
    })
  } finally {
    await backend.close()
  }
}
