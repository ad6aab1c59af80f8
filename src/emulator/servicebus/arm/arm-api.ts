// An Azure Resource Manager surface for the emulator's one namespace: queues, queue authorization
// rules and list-keys, as @azure/arm-servicebus calls them, with a bearer token. Any subscription,
// resource group and namespace name in the path address the emulator's namespace.
import {randomBytes, timingSafeEqual} from 'node:crypto'
import type {IncomingMessage, ServerResponse} from 'node:http'

import type {Broker} from '../broker/broker.js'
import {BrokerError} from '../broker/broker-error.js'
import type {AccessRight, AuthorizationRule} from '../broker/queue-properties.js'
import {routeTopics} from './arm-topics.js'
import {type ArmScopePath, keysResource, queueResource, queueSettingsOf, ruleResource} from './arm-resources.js'
import {regeneratedRule, RegenerateKeysError} from './regenerate-keys.js'

export interface ArmApiOptions {
  broker: Broker
  /** The bearer token clients must send. */
  token: string
  /** Namespace-level policies (for namespace list-keys). */
  namespaceRules: () => readonly AuthorizationRule[]
  /** Replaces a namespace-level policy (regenerateKeys). */
  replaceNamespaceRule: (rule: AuthorizationRule) => void
  /** Connection string for a key: (keyName, key, queue?) -> string. */
  connectionString: (keyName: string, key: string, queue?: string) => string
}

const PREFIX = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ServiceBus\/namespaces\/([^/]+)(\/.*)?$/i
const RIGHTS: readonly AccessRight[] = ['Listen', 'Send', 'Manage']
const MAX_BODY = 1024 * 1024

const SEGMENTS = ['authorizationRules', 'queues', 'listKeys', 'regenerateKeys', 'topics', 'subscriptions', 'rules']

function canonicalSegment(segment: string): string {
  return SEGMENTS.find(known => known.toLowerCase() === segment.toLowerCase()) ?? segment
}

export function isArmPath(url: string): boolean {
  return /^\/subscriptions\//i.test(url)
}

export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

function fromBroker(error: unknown): ArmError {
  if (error instanceof ArmError) return error
  if (error instanceof RegenerateKeysError) return new ArmError(400, 'InvalidRequestContent', error.message)
  if (error instanceof BrokerError) {
    const status = {EntityNotFound: 404, EntityAlreadyExists: 409, BadRequest: 400, Unauthorized: 401}[error.code as string] ?? 500
    return new ArmError(status, status === 404 ? 'ResourceNotFound' : error.code, error.message)
  }
  return new ArmError(500, 'InternalError', (error as Error).message ?? 'internal error')
}

export async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY) throw new ArmError(413, 'RequestTooLarge', 'The request body is too large.')
    chunks.push(chunk as Buffer)
  }
  if (size === 0) return {}
  try {
    const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Record<string, unknown>
  } catch {
    // fall through to the error below
  }
  throw new ArmError(400, 'InvalidRequestContent', 'The request body is not a JSON object.')
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1] ?? ''
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

function send(response: ServerResponse, status: number, body?: unknown): void {
  const text = body === undefined ? '' : JSON.stringify(body)
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-ms-request-id': randomBytes(8).toString('hex'),
  })
  response.end(text)
}

export function parseRights(value: unknown): AccessRight[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every(right => RIGHTS.includes(right as AccessRight))) {
    throw new ArmError(400, 'InvalidRequestContent', 'properties.rights must list Listen, Send and/or Manage.')
  }
  return [...new Set(value as AccessRight[])]
}

export function createArmApi(options: ArmApiOptions) {
  const {broker} = options

  const requireQueue = (name: string) => {
    const queue = broker.getQueue(name)
    if (!queue) throw new ArmError(404, 'ResourceNotFound', `The queue '${name}' could not be found.`)
    return queue
  }

  const requireRule = (queue: string, name: string) => {
    const rule = requireQueue(queue).authorizationRules.find(candidate => candidate.keyName === name)
    if (!rule) throw new ArmError(404, 'ResourceNotFound', `The authorization rule '${name}' of queue '${queue}' could not be found.`)
    return rule
  }

  async function route(method: string, scope: ArmScopePath, rest: string, request: IncomingMessage): Promise<[number, unknown?]> {
    // Resource segments are case-insensitive in ARM (the SDK sends ".../ListKeys"); names keep their case.
    const parts = rest.split('/').filter(Boolean).map(decodeURIComponent)
    for (const index of [0, 2, 4]) if (parts[index] !== undefined) parts[index] = canonicalSegment(parts[index])
    if (parts[0] === 'authorizationRules' && parts.length === 3 && parts[2] === 'listKeys' && method === 'POST') {
      const rule = options.namespaceRules().find(candidate => candidate.keyName === parts[1])
      if (!rule) throw new ArmError(404, 'ResourceNotFound', `The authorization rule '${parts[1]}' could not be found.`)
      return [200, keysResource(rule, key => options.connectionString(rule.keyName, key))]
    }
    if (parts[0] === 'authorizationRules' && parts.length === 3 && parts[2] === 'regenerateKeys' && method === 'POST') {
      const rule = options.namespaceRules().find(candidate => candidate.keyName === parts[1])
      if (!rule) throw new ArmError(404, 'ResourceNotFound', `The authorization rule '${parts[1]}' could not be found.`)
      const next = regeneratedRule(rule, await readJson(request))
      options.replaceNamespaceRule(next)
      return [200, keysResource(next, key => options.connectionString(next.keyName, key))]
    }
    if (parts[0] === 'topics') return routeTopics({broker, scope, method, parts, request, connectionString: options.connectionString})
    if (parts[0] !== 'queues') throw new ArmError(404, 'ResourceNotFound', 'Only queues and topics are supported by the emulator.')
    const [, queueName, sub, ruleName, action] = parts
    if (queueName === undefined) {
      if (method !== 'GET') throw new ArmError(405, 'MethodNotAllowed', `${method} is not allowed here.`)
      return [200, {value: broker.listQueues().map(queue => queueResource(scope, queue, broker))}]
    }
    if (sub === undefined) {
      if (method === 'GET') return [200, queueResource(scope, requireQueue(queueName), broker)]
      if (method === 'DELETE') {
        if (!broker.getQueue(queueName)) return [204]
        await broker.deleteQueue(queueName)
        return [200]
      }
      if (method === 'PUT') {
        const body = await readJson(request)
        const settings = queueSettingsOf((body.properties ?? {}) as Record<string, unknown>)
        const existing = broker.getQueue(queueName)
        broker.requireForwardTargets(settings)
        const queue = existing ? await broker.updateQueue(queueName, settings) : await broker.createQueue(queueName, settings)
        return [200, queueResource(scope, queue, broker)]
      }
      throw new ArmError(405, 'MethodNotAllowed', `${method} is not allowed here.`)
    }
    if (sub !== 'authorizationRules') throw new ArmError(404, 'ResourceNotFound', `Unknown resource '${sub}'.`)
    if (ruleName === undefined)
      return [200, {value: requireQueue(queueName).authorizationRules.map(rule => ruleResource(scope, queueName, rule))}]
    if (action === 'listKeys' && method === 'POST') {
      const rule = requireRule(queueName, ruleName)
      return [200, keysResource(rule, key => options.connectionString(rule.keyName, key, queueName))]
    }
    if (action === 'regenerateKeys' && method === 'POST') {
      const next = regeneratedRule(requireRule(queueName, ruleName), await readJson(request))
      const current = requireQueue(queueName).authorizationRules
      await broker.updateQueue(queueName, {authorizationRules: current.map(rule => (rule.keyName === ruleName ? next : rule))})
      return [200, keysResource(next, key => options.connectionString(next.keyName, key, queueName))]
    }
    if (action !== undefined) throw new ArmError(404, 'ResourceNotFound', `Unknown action '${action}'.`)
    if (method === 'GET') return [200, ruleResource(scope, queueName, requireRule(queueName, ruleName))]
    const rules = requireQueue(queueName).authorizationRules
    if (method === 'DELETE') {
      if (!rules.some(rule => rule.keyName === ruleName)) return [204]
      await broker.updateQueue(queueName, {authorizationRules: rules.filter(rule => rule.keyName !== ruleName)})
      return [200]
    }
    if (method === 'PUT') {
      const body = await readJson(request)
      const rights = parseRights((body.properties as Record<string, unknown> | undefined)?.rights)
      const existing = rules.find(rule => rule.keyName === ruleName)
      const rule: AuthorizationRule = existing
        ? {...existing, rights}
        : {keyName: ruleName, rights, primaryKey: randomBytes(32).toString('base64'), secondaryKey: randomBytes(32).toString('base64')}
      await broker.updateQueue(queueName, {authorizationRules: [...rules.filter(candidate => candidate.keyName !== ruleName), rule]})
      return [200, ruleResource(scope, queueName, rule)]
    }
    throw new ArmError(405, 'MethodNotAllowed', `${method} is not allowed here.`)
  }

  /** Handles an ARM request; the caller routes only paths for which isArmPath() is true. */
  return async function handleArmRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      if (!tokenMatches(request.headers.authorization, options.token)) {
        throw new ArmError(
          401,
          'AuthenticationFailed',
          'Authentication failed. The Authorization header is missing or its bearer token is not valid.',
        )
      }
      const url = new URL(request.url ?? '/', 'http://emulator')
      const match = PREFIX.exec(url.pathname)
      if (!match) throw new ArmError(404, 'ResourceNotFound', 'Not a Service Bus namespace path.')
      const scope = {subscription: match[1], resourceGroup: match[2], namespace: match[3]}
      const [status, body] = await route(request.method ?? 'GET', scope, match[4] ?? '', request)
      send(response, status, body)
    } catch (error) {
      const armError = fromBroker(error)
      send(response, armError.status, {error: {code: armError.code, message: armError.message}})
    }
  }
}
