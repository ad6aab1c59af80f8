// What the cron commands share: the flags, building a definition from `cron add`'s flags (every
// value checked before anything is looked up or written), opening the control queue, and the
// Platform API sessions actions need.
import type {ServiceBusClient} from '@azure/service-bus'

import type {Settings} from '../config.js'
import {parseDuration} from '../../common/duration.js'
import {UsageError} from '../../common/errors.js'
import {connectHeroku} from '../heroku/session.js'
import {checkTimeToLive, parseEnvFlags} from '../heroku/one-off.js'
import {parseScaleArgs} from '../heroku/scale-grammar.js'
import {openBackend, type ManagementFlags} from '../management/backend.js'
import {openClient, resolveConnection} from '../servicebus/connection.js'
import {toQjobError} from '../servicebus/errors.js'
import {parseProperties} from '../servicebus/properties.js'
import type {HerokuFor} from './actions.js'
import {
  checkName,
  type CronAction,
  type CronDefinition,
  DEFAULT_CRON_QUEUE,
  DEFAULT_STARTING_DEADLINE_MS,
  type OverlapPolicy,
  TICK_KIND,
} from './definition.js'
import {parseSchedule} from './next-fire.js'
import {ensureControlQueue} from './store.js'

export interface AddFlags {
  schedule?: string
  every?: string
  timezone?: string
  'run-once'?: string
  size?: string
  ttl?: string
  env?: string[]
  send?: string
  queue?: string
  'content-type'?: string
  subject?: string
  property?: string[]
  scale?: string[]
  overlap?: string
  'starting-deadline'?: string
  'catch-up'?: boolean
  app?: string
}

export function definitionFromFlags(name: string, flags: AddFlags, settings: Settings): CronDefinition {
  const badName = checkName(name)
  if (badName) throw new UsageError(`invalid schedule name "${name}": ${badName}`)
  const schedule = parseSchedule(flags)
  const given = [flags['run-once'] !== undefined, flags.send !== undefined, (flags.scale?.length ?? 0) > 0].filter(Boolean).length
  if (given !== 1)
    throw new UsageError('give one action: --run-once COMMAND, --send BODY -q QUEUE, or --scale TYPE=N', {
      hint: 'E.g. qjob cron add nightly --schedule "0 3 * * *" --run-once "node report.js".',
    })
  let action: CronAction
  if (flags['run-once'] !== undefined) {
    if (flags['run-once'].trim() === '') throw new UsageError('--run-once needs a command')
    const ttlSeconds = flags.ttl === undefined ? undefined : Math.round(parseDuration(flags.ttl, 'dyno time to live') / 1000)
    checkTimeToLive(ttlSeconds)
    const env = parseEnvFlags(flags.env ?? [])
    action = {
      type: 'run-once',
      command: flags['run-once'],
      size: flags.size,
      ttlSeconds,
      env: Object.keys(env).length > 0 ? env : undefined,
    }
  } else if (flags.send !== undefined) {
    const queue = settings.require('queue', flags.queue, 'Pass -q QUEUE: the queue the message is sent to.')
    const properties = parseProperties(flags.property)
    action = {
      type: 'send',
      queue,
      body: flags.send,
      contentType: flags['content-type'],
      subject: flags.subject,
      properties: Object.keys(properties).length > 0 ? (properties as Record<string, string | number | boolean>) : undefined,
      ttlMs: flags.ttl === undefined ? undefined : parseDuration(flags.ttl, 'time to live'),
    }
  } else {
    const changes = parseScaleArgs(flags.scale ?? [])
    if (changes.some(change => change.op !== 'set'))
      throw new UsageError('--scale takes TYPE=N (a quantity, not +N or -N)', {hint: 'E.g. --scale worker=3.'})
    action = {type: 'scale', changes}
  }
  if ((flags.env?.length || flags.size) && action.type !== 'run-once') throw new UsageError('--size and -e go with --run-once')
  const overlap = (flags.overlap ?? 'skip') as OverlapPolicy
  const startingDeadlineMs =
    flags['starting-deadline'] === undefined ? DEFAULT_STARTING_DEADLINE_MS : parseDuration(flags['starting-deadline'], 'starting deadline')
  return {
    kind: TICK_KIND,
    name,
    schedule,
    action,
    overlap,
    startingDeadlineMs,
    catchUp: flags['catch-up'] ?? false,
    paused: false,
    app: flags.app,
  }
}

/** A Platform API session per app, opened on first use. */
export function herokuSessions(settings: Settings): HerokuFor {
  const sessions = new Map<string, ReturnType<typeof connectHeroku>>()
  return app => {
    const key = app ?? ''
    let session = sessions.get(key)
    if (!session) {
      session = connectHeroku(settings, {app})
      sessions.set(key, session)
      session.catch(() => sessions.delete(key))
    }
    return session
  }
}

export interface ControlQueue {
  client: ServiceBusClient
  queue: string
  close(): Promise<void>
}

/** Opens a client for the control queue, creating the queue (with duplicate detection) if missing. */
export async function openControlQueue(settings: Settings, flags: ManagementFlags & {'cron-queue'?: string}): Promise<ControlQueue> {
  const queue = flags['cron-queue'] ?? settings.envValue('QJOB_CRON_QUEUE') ?? DEFAULT_CRON_QUEUE
  const target = resolveConnection(settings, flags)
  const backend = await openBackend(settings, flags)
  try {
    await ensureControlQueue(backend, queue)
  } finally {
    await backend.close()
  }
  const client = await openClient(target, flags.timeout)
  return {client, queue, close: () => client.close().catch(() => undefined)}
}

/** Runs `work` against the control queue; SDK errors become qjob errors. */
export async function withControlQueue<T>(
  settings: Settings,
  flags: ManagementFlags & {'cron-queue'?: string},
  work: (control: ControlQueue) => Promise<T>,
): Promise<T> {
  const control = await openControlQueue(settings, flags)
  try {
    return await work(control)
  } catch (error) {
    throw toQjobError(error, {queue: control.queue})
  } finally {
    await control.close()
  }
}
