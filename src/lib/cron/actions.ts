// Performing a schedule's action: a detached one-off dyno, a message for the workers, or a
// formation change. The Platform API session is opened on first use (a schedule of sends needs no
// Heroku token).
import type {ServiceBusClient} from '@azure/service-bus'

import {NotFoundError} from '../../common/errors.js'
import type {HerokuApi} from '../heroku/api.js'
import {dynoInfo, stopTarget} from '../heroku/dynos.js'
import {scaleFormation} from '../heroku/formation.js'
import {runDetached} from '../heroku/one-off.js'
import type {CronAction, CronDefinition, Outcome} from './definition.js'

export type HerokuFor = (app: string | undefined) => Promise<{api: HerokuApi; app: string}>

export interface ActionContext {
  client: ServiceBusClient
  heroku: HerokuFor
}

/** The id of the message a --send fires: the same fire time always sends the same id. */
export function sendMessageId(name: string, fireTime: string): string {
  return `${name}@${fireTime}`
}

export async function performAction(
  context: ActionContext,
  definition: CronDefinition,
  fireTime: string,
): Promise<Pick<Outcome, 'status' | 'dyno' | 'messageId' | 'reason'>> {
  const action: CronAction = definition.action
  try {
    if (action.type === 'run-once') {
      const {api, app} = await context.heroku(definition.app)
      const env = {...action.env, QJOB_CRON_NAME: definition.name, QJOB_CRON_FIRE_TIME: fireTime}
      const dyno = await runDetached(api, app, {command: action.command, size: action.size, timeToLive: action.ttlSeconds, env})
      return {status: 'ok', dyno: dyno.name}
    }
    if (action.type === 'send') {
      const sender = context.client.createSender(action.queue)
      const messageId = sendMessageId(definition.name, fireTime)
      try {
        await sender.sendMessages({
          body: Buffer.from(action.body),
          messageId,
          contentType: action.contentType,
          subject: action.subject,
          applicationProperties: action.properties,
          timeToLive: action.ttlMs,
        })
      } finally {
        await sender.close()
      }
      return {status: 'ok', messageId}
    }
    const {api, app} = await context.heroku(definition.app)
    await scaleFormation(api, app, action.changes)
    return {status: 'ok'}
  } catch (error) {
    return {status: 'failed', reason: (error as Error).message}
  }
}

export type OverlapCheck = {proceed: true} | {proceed: false; reason: string}

/** --overlap: is the previous run's dyno still up? skip leaves it, replace stops it first. */
export async function checkOverlap(
  context: ActionContext,
  definition: CronDefinition,
  lastDyno: string | undefined,
): Promise<OverlapCheck> {
  if (definition.action.type !== 'run-once' || definition.overlap === 'allow' || !lastDyno) return {proceed: true}
  const {api, app} = await context.heroku(definition.app)
  let state: string
  try {
    state = (await dynoInfo(api, app, lastDyno)).state
  } catch (error) {
    if (error instanceof NotFoundError) return {proceed: true}
    throw error
  }
  if (state !== 'up' && state !== 'starting') return {proceed: true}
  if (definition.overlap === 'skip') return {proceed: false, reason: `the previous run ${lastDyno} is still ${state}`}
  await stopTarget(api, app, lastDyno)
  return {proceed: true}
}
