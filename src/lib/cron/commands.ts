// The cron commands' bodies: check the input, open the control queue, call manage.ts or the
// scheduler, print text or JSON.
import type {Settings} from '../config.js'
import {parseDuration} from '../../common/duration.js'
import {ExitStatus} from '../../common/errors.js'
import {redact} from '../../common/redact.js'
import {confirmOrYes} from '../confirm.js'
import {connectHeroku} from '../heroku/session.js'
import type {ManagementFlags} from '../management/backend.js'
import {printNdjson} from '../output.js'
import {describeAction} from './definition.js'
import {formatFireEvent, formatScheduleDetail, formatScheduleTable, describeOutcome} from './format.js'
import {addSchedule, listSchedules, removeSchedule, setPaused, showSchedule, triggerSchedule} from './manage.js'
import {describeSchedule, nextFireTimes} from './next-fire.js'
import {runScheduler, tickOnce} from './scheduler.js'
import {type AddFlags, definitionFromFlags, herokuSessions, withControlQueue} from './wiring.js'

type CronCommandFlags = ManagementFlags & {'cron-queue'?: string; ndjson?: boolean}
interface Output {
  json: boolean
  log: (text: string) => void
}

/** --json: the value is returned (oclif prints it); --ndjson: one line per item; else text. */
function emit<T>(value: T, flags: {ndjson?: boolean}, output: Output, text: () => string): T | undefined {
  if (output.json) return value
  if (flags.ndjson) {
    for (const item of Array.isArray(value) ? value : [value]) printNdjson(item)
    return undefined
  }
  output.log(text())
  return undefined
}

export async function addCommand(
  settings: Settings,
  name: string,
  flags: AddFlags & CronCommandFlags & {replace?: boolean; 'dry-run'?: boolean},
  output: Output,
): Promise<unknown> {
  const definition = definitionFromFlags(name, flags, settings)
  if (flags['dry-run']) {
    const times = nextFireTimes(definition.schedule, new Date(), 5).map(time => time.toISOString())
    return emit(
      {name, schedule: definition.schedule, action: definition.action, nextFireTimes: times},
      {},
      output,
      () => `${name}: ${describeSchedule(definition.schedule)}, ${describeAction(definition.action)}\n${times.join('\n')}`,
    )
  }
  if (definition.action.type !== 'send') {
    // A missing app (exit 2) or token (exit 4) fails here, before anything is scheduled.
    definition.app = (await connectHeroku(settings, {app: flags.app})).app
  }
  const view = await withControlQueue(settings, flags, ({client, queue}) =>
    addSchedule(client, queue, definition, {replace: flags.replace ?? false}),
  )
  return emit(
    view,
    flags,
    output,
    () => `Added ${name} (${describeSchedule(definition.schedule)}, ${describeAction(definition.action)}); next run ${view.nextRun}.`,
  )
}

export async function listCommand(settings: Settings, flags: CronCommandFlags, output: Output): Promise<unknown> {
  const heroku = herokuSessions(settings)
  const views = await withControlQueue(settings, flags, ({client, queue}) => listSchedules(client, queue, heroku))
  return emit(views, flags, output, () => (views.length === 0 ? 'No schedules. Add one with "qjob cron add".' : formatScheduleTable(views)))
}

export async function showCommand(settings: Settings, name: string, flags: CronCommandFlags, output: Output): Promise<unknown> {
  const view = await withControlQueue(settings, flags, ({client, queue}) => showSchedule(client, queue, name))
  return emit(view, flags, output, () => formatScheduleDetail(view))
}

export async function triggerCommand(settings: Settings, name: string, flags: CronCommandFlags, output: Output): Promise<unknown> {
  const heroku = herokuSessions(settings)
  const outcome = await withControlQueue(settings, flags, ({client, queue}) => triggerSchedule({client, heroku}, queue, name))
  const result = emit({name, ...outcome}, flags, output, () => `Triggered ${name}: ${describeOutcome(outcome)}`)
  if (outcome.status === 'failed') {
    if (output.json) output.log(JSON.stringify({name, ...outcome}, null, 2))
    if (!output.json) process.stderr.write(`${redact(`Error: ${name} failed: ${outcome.reason ?? 'unknown reason'}`)}\n`)
    throw new ExitStatus(1)
  }
  return result
}

export async function pauseCommand(settings: Settings, name: string, flags: CronCommandFlags, output: Output): Promise<unknown> {
  const view = await withControlQueue(settings, flags, ({client, queue}) => setPaused(client, queue, name, true))
  return emit(view, flags, output, () => `Paused ${name}.`)
}

export async function resumeCommand(settings: Settings, name: string, flags: CronCommandFlags, output: Output): Promise<unknown> {
  const view = await withControlQueue(settings, flags, ({client, queue}) => setPaused(client, queue, name, false))
  return emit(view, flags, output, () => `Resumed ${name}; next run ${view.nextRun}.`)
}

export async function removeCommand(
  settings: Settings,
  name: string,
  flags: CronCommandFlags & {yes?: boolean},
  output: Output,
): Promise<unknown> {
  if (!(await confirmOrYes(`Remove the schedule "${name}"?`, flags.yes))) throw new ExitStatus(1)
  const result = await withControlQueue(settings, flags, ({client, queue}) => removeSchedule(client, queue, name))
  return emit(result, flags, output, () => `Removed ${name}.`)
}

export async function runCommand(
  settings: Settings,
  flags: CronCommandFlags & {concurrency?: number; 'exit-when-idle'?: boolean; idle?: string},
  options: {mode: 'run' | 'tick'},
): Promise<void> {
  const exitWhenIdleMs = flags['exit-when-idle'] ? parseDuration(flags.idle ?? '30s', 'idle time') : undefined
  const heroku = herokuSessions(settings)
  const stop = new AbortController()
  const onSignal = () => stop.abort()
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
  const print = (event: Parameters<typeof formatFireEvent>[0]) => {
    const line = flags.ndjson ? JSON.stringify(event) : formatFireEvent(event)
    ;(event.event === 'error' ? process.stderr : process.stdout).write(`${redact(line)}\n`)
  }
  try {
    await withControlQueue(settings, flags, async ({client, queue}) => {
      const schedulerOptions = {client, heroku, queue, emit: print, signal: stop.signal, concurrency: flags.concurrency, exitWhenIdleMs}
      if (options.mode === 'tick') await tickOnce(schedulerOptions)
      else await runScheduler(schedulerOptions)
    })
  } finally {
    process.off('SIGTERM', onSignal)
    process.off('SIGINT', onSignal)
  }
}
