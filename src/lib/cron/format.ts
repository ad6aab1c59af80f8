// Text for people: the schedule table of `cron list`, the history of `cron show`, one line per fire.
import {formatProperties, formatTable} from '../output.js'
import {describeAction, type Outcome} from './definition.js'
import type {FireEvent} from './fire.js'
import type {ScheduleView} from './manage.js'
import {describeSchedule} from './next-fire.js'

export function describeOutcome(outcome: (Outcome & {dynoState?: string}) | undefined): string {
  if (!outcome) return '-'
  const parts: string[] = [outcome.status]
  if (outcome.trigger) parts.push('(trigger)')
  if (outcome.dyno) parts.push(outcome.dynoState ? `${outcome.dyno} (${outcome.dynoState})` : outcome.dyno)
  if (outcome.messageId) parts.push(outcome.messageId)
  if (outcome.reason) parts.push(`- ${outcome.reason}`)
  return parts.join(' ')
}

export function formatScheduleTable(views: readonly ScheduleView[]): string {
  return formatTable(views, [
    {header: 'NAME', get: view => view.name},
    {header: 'SCHEDULE', get: view => describeSchedule(view.schedule)},
    {header: 'ACTION', get: view => describeAction(view.action)},
    {header: 'NEXT RUN', get: view => (view.paused ? 'paused' : (view.nextRun ?? '-'))},
    {header: 'LAST OUTCOME', get: view => describeOutcome(view.lastOutcome)},
  ])
}

export function formatScheduleDetail(view: ScheduleView): string {
  const head = formatProperties([
    ['Name', view.name],
    ['Schedule', describeSchedule(view.schedule)],
    ['Action', describeAction(view.action)],
    ['Overlap', view.overlap],
    ['Next run', view.paused ? 'paused' : (view.nextRun ?? '-')],
    ...(view.app ? [['App', view.app] as [string, unknown]] : []),
  ])
  if (view.history.length === 0) return `${head}\n\nNo runs yet.`
  const table = formatTable([...view.history].reverse(), [
    {header: 'FIRE TIME', get: outcome => outcome.fireTime},
    {header: 'HANDLED AT', get: outcome => outcome.at},
    {header: 'OUTCOME', get: outcome => describeOutcome(outcome)},
  ])
  return `${head}\n\n${table}`
}

export function formatFireEvent(event: FireEvent | {event: 'error'; message: string}): string {
  if (event.event === 'error') return `error ${event.message}`
  if (event.event === 'started') return `started: firing the schedules of ${event.queue} as they come due`
  if (event.event === 'dead-lettered') return `dead-lettered ${event.messageId}: ${event.reason}`
  if (event.event === 'dropped') return `dropped ${event.name ?? '?'}@${event.fireTime ?? '?'}: ${event.reason}`
  const late = event.outcome.lateMs === undefined ? '' : ` late=${event.outcome.lateMs}ms`
  return `${event.outcome.status} ${event.name}@${event.outcome.fireTime}${late} ${describeOutcome(event.outcome).replace(/^\S+ ?/, '')}${event.next ? ` next=${event.next}` : ''}`.replace(
    / {2,}/g,
    ' ',
  )
}
