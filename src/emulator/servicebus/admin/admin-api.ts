// The ATOM management API that ServiceBusAdministrationClient calls (SB
// src/serviceBusAtomManagementClient.ts): routing, the SAS check, and each operation as a broker
// call. Transport-free: a request in, a response out (http-listener.ts serves it over HTTP(S)).
//
//   GET    /$namespaceinfo              namespace properties
//   GET    /$Resources/Queues[?$skip&$top]  a page of queues, with a rel="next" link when more follow
//   GET    /<queue>                     the queue with its runtime counts (missing: an empty feed)
//   PUT    /<queue>                     create (409 if it exists); with If-Match: update (404 if missing)
//   DELETE /<queue>                     delete (404 if missing)
import {randomUUID} from 'node:crypto'

import {registerSecret} from '../../../common/redact.js'
import type {NamespacePolicies} from '../auth/namespace-policies.js'
import type {Broker} from '../broker/broker.js'
import {BrokerError, entityNotFound, type BrokerErrorCode} from '../broker/broker-error.js'
import {newQueueProperties, type QueueProperties, type QueueSettings} from '../broker/queue-properties.js'
import type {EmulatorLogger} from '../logger.js'
import {authorizeAdminRequest} from './admin-auth.js'
import {emptyFeedDocument, entryDocument, errorDocument, feedDocument, namespaceInfoXml, type EntryParts} from './atom.js'
import {ADMIN_LIMITS, ATOM, NAMESPACE_INFO} from './constants.js'
import {queueDescriptionXml, queueSettingsFromEntry} from './queue-description.js'
import {parseXml, XmlError} from './xml.js'
import {descriptionKind} from './topic-description.js'
import {handleTopic, handleTopicChild, parseTopicPath, topicEntry, type TopicRouteContext} from './topic-routes.js'

export interface AdminRequest {
  method: string
  /** Path and query as sent (`/q1?api-version=2021-05`). */
  url: string
  authorization?: string
  ifMatch?: string
  body: string
  /** `https://host:port` as the client addressed us: the base of the `<id>` URLs. */
  baseUrl: string
}

export interface AdminResponse {
  status: number
  contentType?: string
  body: string
  /** Close the connection after answering (requests that failed authorization). */
  close?: boolean
}

export interface AdminApiOptions {
  broker: Broker
  policies: NamespacePolicies
  logger: EmulatorLogger
  /** What getNamespaceProperties reports as created/modified (default: now). */
  createdAt?: number
}

const STATUS_OF: Record<BrokerErrorCode, number> = {
  EntityNotFound: 404,
  EntityAlreadyExists: 409,
  EntityDisabled: 400,
  MessageLockLost: 400,
  SessionLockLost: 400,
  SessionCannotBeLocked: 400,
  Timeout: 408,
  MessageNotFound: 404,
  MessageSizeExceeded: 400,
  QuotaExceeded: 403,
  Unauthorized: 401,
  BadRequest: 400,
  NotImplemented: 501,
  Internal: 500,
}

/** Fields the service never lets an update change (sent with a different value: 400). */
const IMMUTABLE = ['requiresSession', 'requiresDuplicateDetection'] as const

export class AdminApi {
  private readonly broker: Broker
  private readonly policies: NamespacePolicies
  private readonly logger: EmulatorLogger
  private readonly createdAt: number

  constructor(options: AdminApiOptions) {
    this.broker = options.broker
    this.policies = options.policies
    this.logger = options.logger
    this.createdAt = options.createdAt ?? options.broker.now()
    // Rules created through this API earlier and kept by the durable store: their keys are secrets too.
    for (const queue of this.broker.listQueues()) {
      for (const rule of queue.authorizationRules) for (const key of [rule.primaryKey, rule.secondaryKey]) if (key) registerSecret(key)
    }
  }

  async handle(request: AdminRequest): Promise<AdminResponse> {
    let url: URL
    let path: string
    try {
      url = new URL(request.url, 'http://emulator')
      path = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, '')
    } catch {
      return this.error(400, 'The request URL is not valid.')
    }
    const special = path.startsWith('$')
    // The entity whose own policies may grant Manage: the queue, or the topic of a subscription or rule.
    const queueName = special ? undefined : (parseTopicPath(path)?.topic ?? path)
    const decision = authorizeAdminRequest(request.authorization, path, queueName, {policies: this.policies, broker: this.broker})
    if (!decision.allowed) {
      this.logger.info(`admin ${request.method} /${path} refused: ${decision.detail}`)
      return {...this.error(401, decision.detail), close: true}
    }
    try {
      const response = await this.route(request, path, url.searchParams)
      this.logger.debug(`admin ${request.method} /${path} -> ${response.status}`)
      return response
    } catch (error) {
      if (error instanceof BrokerError) return this.error(STATUS_OF[error.code], error.message)
      if (error instanceof XmlError) return this.error(400, error.message)
      this.logger.error(`admin ${request.method} /${path} failed: ${(error as Error).stack ?? String(error)}`)
      return this.error(500, 'The emulator failed to handle the request; see its log.')
    }
  }

  private async route(request: AdminRequest, path: string, query: URLSearchParams): Promise<AdminResponse> {
    const method = request.method.toUpperCase()
    const lower = path.toLowerCase()
    if (path === '') return this.error(404, 'Name a resource: a queue, $Resources/Queues or $namespaceinfo.')
    if (lower === '$namespaceinfo') {
      if (method !== 'GET') return this.error(405, `${method} is not allowed on /${path}.`)
      return this.entry(200, {
        baseUrl: request.baseUrl,
        path: '$namespaceinfo',
        title: NAMESPACE_INFO.name,
        published: this.createdAt,
        updated: this.createdAt,
        content: namespaceInfoXml(this.createdAt),
      })
    }
    if (lower === '$resources/queues' || lower === '$resources/topics') {
      if (method !== 'GET') return this.error(405, `${method} is not allowed on /${path}.`)
      const entries =
        lower === '$resources/queues'
          ? this.broker.listQueues().map(queue => this.queueEntry(request.baseUrl, queue))
          : this.broker.topics.list().map(topic => topicEntry(this.broker, request.baseUrl, topic.name))
      return this.list(request.baseUrl, path, lower === '$resources/queues' ? 'Queues' : 'Topics', entries, query)
    }
    if (path.startsWith('$')) return this.error(404, `The emulator has no management resource '/${path}'.`)
    const context: TopicRouteContext = {
      broker: this.broker,
      baseUrl: request.baseUrl,
      method,
      body: request.body,
      ifMatch: request.ifMatch,
      query,
      entry: (status, parts) => this.entry(status, parts),
      emptyFeed: entityPath => this.feed(emptyFeedDocument(request.baseUrl, entityPath, this.broker.now())),
      list: (listPath, title, entries) => this.list(request.baseUrl, listPath, title, entries, query),
    }
    const child = parseTopicPath(path)
    if (child) return handleTopicChild(context, child)
    const isTopic =
      this.broker.topics.get(path) !== undefined ||
      (method === 'PUT' && request.ifMatch === undefined && !this.broker.getQueue(path) && safeKind(request.body) === 'TopicDescription')
    if (isTopic && ['GET', 'PUT', 'DELETE'].includes(method)) return handleTopic(context, path)
    switch (method) {
      case 'GET': {
        const queue = this.broker.getQueue(path)
        return queue
          ? this.entry(200, this.queueEntry(request.baseUrl, queue))
          : this.feed(emptyFeedDocument(request.baseUrl, path, this.broker.now()))
      }
      case 'PUT':
        return request.ifMatch === undefined ? this.create(request, path) : this.update(request, path)
      case 'DELETE':
        await this.broker.deleteQueue(path)
        return {status: 200, body: ''}
      default:
        return this.error(405, `${method} is not allowed on a queue.`)
    }
  }

  private async create(request: AdminRequest, name: string): Promise<AdminResponse> {
    if (this.broker.topics.get(name))
      throw new BrokerError('EntityAlreadyExists', `SubCode=40900. The messaging entity '${name}' already exists.`)
    const settings = queueSettingsFromEntry(parseXml(request.body))
    if (this.broker.getQueue(name))
      throw new BrokerError('EntityAlreadyExists', `SubCode=40900. The messaging entity '${name}' already exists.`)
    this.broker.requireForwardTargets(settings)
    const queue = await this.broker.createQueue(name, settings)
    this.logger.info(`admin: created queue '${queue.name}'`)
    return this.entry(201, this.queueEntry(request.baseUrl, queue))
  }

  /** PUT with If-Match replaces the description: fields not sent get their defaults (as on Azure). */
  private async update(request: AdminRequest, name: string): Promise<AdminResponse> {
    const sent = queueSettingsFromEntry(parseXml(request.body))
    const current = this.broker.getQueue(name)
    if (!current) throw entityNotFound(name)
    for (const field of IMMUTABLE) {
      if (sent[field] !== undefined && sent[field] !== current[field])
        throw new BrokerError('BadRequest', `${field} of an existing queue cannot be changed.`)
    }
    const full = newQueueProperties(current.name, {
      ...sent,
      requiresSession: current.requiresSession,
      requiresDuplicateDetection: current.requiresDuplicateDetection,
      userMetadata: sent.userMetadata ?? '',
      authorizationRules: sent.authorizationRules ?? [],
    })
    const settings: QueueSettings = {...full}
    for (const key of ['name', 'createdAt', 'updatedAt'] as const) delete (settings as Partial<QueueProperties>)[key]
    // Absent from `full` means removed: '' says so to the update, which keeps what is not given.
    settings.forwardTo = full.forwardTo ?? ''
    settings.forwardDeadLetteredMessagesTo = full.forwardDeadLetteredMessagesTo ?? ''
    this.broker.requireForwardTargets(settings)
    const queue = await this.broker.updateQueue(current.name, settings)
    this.logger.info(`admin: updated queue '${queue.name}'`)
    return this.entry(200, this.queueEntry(request.baseUrl, queue))
  }

  private list(baseUrl: string, path: string, title: string, queues: EntryParts[], query: URLSearchParams): AdminResponse {
    const skipText = query.get('$skip')
    const topText = query.get('$top')
    const skip = skipText === null ? 0 : Number(skipText)
    const top = topText === null ? ADMIN_LIMITS.pageSize : Number(topText)
    if (!Number.isInteger(skip) || skip < 0) throw new BrokerError('BadRequest', `$skip must be a whole number, got '${skipText}'.`)
    if (!Number.isInteger(top) || top < 1) throw new BrokerError('BadRequest', `$top must be a positive whole number, got '${topText}'.`)
    const pageSize = Math.min(top, ADMIN_LIMITS.pageSize)
    const page = queues.slice(skip, skip + pageSize)
    const pageQuery: Record<string, string> = {}
    if (skipText !== null) pageQuery.$skip = String(skip)
    if (topText !== null) pageQuery.$top = String(top)
    const next = skip + page.length < queues.length ? {...pageQuery, $skip: String(skip + page.length)} : undefined
    const body = feedDocument({
      baseUrl,
      path,
      title,
      updated: this.broker.now(),
      entries: page,
      query: pageQuery,
      next,
    })
    return this.feed(body)
  }

  private queueEntry(baseUrl: string, queue: QueueProperties): EntryParts {
    const counts = this.broker.runtimeCounts(queue.name)
    return {
      baseUrl,
      path: queue.name,
      title: queue.name,
      published: queue.createdAt,
      updated: queue.updatedAt,
      content: queueDescriptionXml(queue, counts),
    }
  }

  private entry(status: number, parts: EntryParts): AdminResponse {
    return {status, contentType: ATOM.entryContentType, body: entryDocument(parts)}
  }

  private feed(body: string): AdminResponse {
    return {status: 200, contentType: ATOM.feedContentType, body}
  }

  private error(status: number, detail: string): AdminResponse {
    const tracked = `${detail} TrackingId:${randomUUID()}, Timestamp:${new Date(this.broker.now()).toISOString()}`
    return {status, contentType: ATOM.errorContentType, body: errorDocument(status, tracked)}
  }
}

/** The description an Atom entry holds, or undefined when the body does not parse (the queue path reports that). */
function safeKind(body: string): string | undefined {
  try {
    return descriptionKind(parseXml(body))
  } catch {
    return undefined
  }
}
