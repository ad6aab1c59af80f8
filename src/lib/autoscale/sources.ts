// The autoscaler's two ends over the wire: queue counts from a management backend (ATOM or ARM)
// and one process type's formation on the Platform API.
import type {HerokuApi} from '../heroku/api.js'
import {appPath} from '../heroku/session.js'
import type {Formation} from '../heroku/types.js'
import type {ManagementBackend} from '../management/types.js'
import {splitEntityPath} from '../servicebus/entity.js'
import {OperationError} from '../../common/errors.js'
import type {LoadCounts} from './decide.js'

export interface CountsSource {
  read(): Promise<LoadCounts>
}

export interface FormationState {
  quantity: number
  /** When the formation last changed (ms since the epoch), if the API says. */
  updatedAt?: number
}

export interface FormationTarget {
  read(): Promise<FormationState>
  /** Sets the quantity; resolves with the quantity the API reports. */
  scale(quantity: number): Promise<number>
}

/**
 * Active, scheduled and dead-letter counts of one queue. Neither the ATOM nor the ARM API reports
 * locked messages, so `locked` stays unknown here; a locked message still counts as active.
 */
export function queueCounts(backend: ManagementBackend, queue: string): CountsSource {
  const {name, subscription} = splitEntityPath(queue)
  return {
    async read() {
      // A subscription has no scheduled count of its own: its topic holds the scheduled messages.
      const info = subscription === undefined ? await backend.getQueue(name) : await subscriptionCounts(backend, name, subscription)
      if (!info.counts)
        throw new OperationError(`no message counts for queue ${queue}`, {
          hint: 'The management API answered without runtime properties; try again.',
        })
      return {active: info.counts.active, scheduled: info.counts.scheduled, deadLetter: info.counts.deadLetter}
    },
  }
}

async function subscriptionCounts(backend: ManagementBackend, topic: string, subscription: string) {
  const [info, topicInfo] = await Promise.all([backend.topics.getSubscription(topic, subscription), backend.topics.getTopic(topic)])
  return {counts: info.counts && {...info.counts, scheduled: topicInfo.counts?.scheduled ?? 0}}
}

function stateOf(formation: Formation): FormationState {
  const updatedAt = formation.updated_at === undefined ? Number.NaN : Date.parse(formation.updated_at)
  return {quantity: formation.quantity, updatedAt: Number.isFinite(updatedAt) ? updatedAt : undefined}
}

/** One process type of one app: GET and PATCH /apps/{app}/formation/{type} (one request each). */
export function herokuFormation(api: HerokuApi, app: string, type: string): FormationTarget {
  const path = appPath(app, `/formation/${encodeURIComponent(type)}`)
  return {
    async read() {
      return stateOf(await api.get<Formation>(path))
    },
    async scale(quantity) {
      return (await api.patch<Formation>(path, {body: {quantity}})).quantity
    },
  }
}
