// The ATOM backend: ServiceBusAdministrationClient with a connection string (or Entra ID). Queue
// policies are the queue's AuthorizationRules, changed through a read-modify-write of the queue.
import type {
  AuthorizationRule,
  QueueProperties,
  QueueRuntimeProperties,
  ServiceBusAdministrationClient,
  WithResponse,
} from '@azure/service-bus'

import {formatIsoDuration, parseIsoDuration} from '../../common/duration.js'
import {NotFoundError, OperationError, UsageError} from '../../common/errors.js'
import type {ConnectionTarget} from '../servicebus/connection.js'
import {entityConnectionString, newAuthorizationRule} from './atom-policies.js'
import {toManagementError} from './errors.js'
import {checkPartitioningUnchanged, newKey} from './queue-spec.js'
import {
  type AccessRight,
  forwardTarget,
  type ManagementBackend,
  type PolicyInfo,
  type PolicyKey,
  type QueueInfo,
  type QueueSpec,
} from './types.js'
import {AtomTopics} from './topics/atom-topics.js'
import type {TopicManagement} from './topics/types.js'

/**
 * The emulator serves its admin API over plain HTTP on the AMQP port too, so qjob needs no
 * certificate for it. (The client ignores `additionalPolicies`; the policy goes on its pipeline.)
 */
const emulatorHttpPolicy = {
  name: 'qjobEmulatorHttp',
  sendRequest(request: {url: string; allowInsecureConnection?: boolean}, next: (request: never) => Promise<unknown>) {
    request.url = request.url.replace(/^https:/, 'http:')
    request.allowInsecureConnection = true
    return next(request as never)
  },
}

export function toQueueInfo(properties: QueueProperties, runtime?: QueueRuntimeProperties): QueueInfo {
  return {
    name: properties.name,
    status: properties.status,
    lockDurationMs: parseIsoDuration(properties.lockDuration),
    maxDeliveryCount: properties.maxDeliveryCount,
    defaultTtlMs: parseIsoDuration(properties.defaultMessageTimeToLive),
    deadLetterOnExpiration: properties.deadLetteringOnMessageExpiration,
    requiresSession: properties.requiresSession,
    duplicateDetection: properties.requiresDuplicateDetection,
    duplicateDetectionWindowMs: parseIsoDuration(properties.duplicateDetectionHistoryTimeWindow),
    maxSizeMb: properties.maxSizeInMegabytes,
    maxMessageSizeKb: properties.maxMessageSizeInKilobytes,
    autoDeleteOnIdleMs: parseIsoDuration(properties.autoDeleteOnIdle),
    enablePartitioning: properties.enablePartitioning,
    forwardTo: forwardTarget(properties.forwardTo),
    forwardDeadLettersTo: forwardTarget(properties.forwardDeadLetteredMessagesTo),
    createdAt: runtime?.createdAt?.toISOString(),
    updatedAt: runtime?.modifiedAt?.toISOString(),
    counts: runtime && {
      active: runtime.activeMessageCount,
      deadLetter: runtime.deadLetterMessageCount,
      scheduled: runtime.scheduledMessageCount,
      transfer: runtime.transferMessageCount,
      transferDeadLetter: runtime.transferDeadLetterMessageCount,
      total: runtime.totalMessageCount,
      sizeInBytes: runtime.sizeInBytes,
    },
  }
}

function applySpec<T extends object>(target: T, spec: QueueSpec): T {
  const out: Record<string, unknown> = {...(target as Record<string, unknown>)}
  if (spec.lockDurationMs !== undefined) out.lockDuration = formatIsoDuration(spec.lockDurationMs)
  if (spec.maxDeliveryCount !== undefined) out.maxDeliveryCount = spec.maxDeliveryCount
  if (spec.defaultTtlMs !== undefined) out.defaultMessageTimeToLive = formatIsoDuration(spec.defaultTtlMs)
  if (spec.deadLetterOnExpiration !== undefined) out.deadLetteringOnMessageExpiration = spec.deadLetterOnExpiration
  if (spec.duplicateDetectionWindowMs !== undefined)
    out.duplicateDetectionHistoryTimeWindow = formatIsoDuration(spec.duplicateDetectionWindowMs)
  if (spec.maxSizeMb !== undefined) out.maxSizeInMegabytes = spec.maxSizeMb
  if (spec.maxMessageSizeKb !== undefined) out.maxMessageSizeInKilobytes = spec.maxMessageSizeKb
  if (spec.autoDeleteOnIdleMs !== undefined) out.autoDeleteOnIdle = formatIsoDuration(spec.autoDeleteOnIdleMs)
  if (spec.status !== undefined) out.status = spec.status
  if (spec.enablePartitioning !== undefined) out.enablePartitioning = spec.enablePartitioning
  if (spec.forwardTo !== undefined) out.forwardTo = spec.forwardTo || undefined
  if (spec.forwardDeadLettersTo !== undefined) out.forwardDeadLetteredMessagesTo = spec.forwardDeadLettersTo || undefined
  return out as T
}

function policyInfo(queue: string, rule: AuthorizationRule): PolicyInfo {
  return {name: rule.keyName, queue, rights: (rule.accessRights ?? []) as AccessRight[]}
}

export class AtomBackend implements ManagementBackend {
  readonly kind = 'atom' as const
  readonly topics: TopicManagement

  private constructor(
    private readonly client: ServiceBusAdministrationClient,
    private readonly target: ConnectionTarget,
  ) {
    this.topics = new AtomTopics(client, target)
  }

  static async open(target: ConnectionTarget): Promise<AtomBackend> {
    const {ServiceBusAdministrationClient} = await import('../servicebus/sdk.js')
    const retryOptions = {maxRetries: 2, retryDelayInMs: 250, maxRetryDelayInMs: 2000}
    if (target.kind === 'connection-string') {
      const client = new ServiceBusAdministrationClient(target.connectionString, {retryOptions} as never)
      if (/UseDevelopmentEmulator=true/i.test(target.connectionString)) client.pipeline.addPolicy(emulatorHttpPolicy as never)
      return new AtomBackend(client, target)
    }
    const {DefaultAzureCredential} = await import('@azure/identity')
    return new AtomBackend(
      new ServiceBusAdministrationClient(target.namespace, new DefaultAzureCredential(), {retryOptions} as never),
      target,
    )
  }

  private async call<T>(what: string, work: () => Promise<T>, queue?: string): Promise<T> {
    try {
      return await work()
    } catch (error) {
      throw toManagementError(error, {what, queue, endpoint: this.target.endpoint})
    }
  }

  async *listQueues(): AsyncIterable<QueueInfo> {
    try {
      const runtimes = new Map<string, QueueRuntimeProperties>()
      for await (const runtime of this.client.listQueuesRuntimeProperties()) runtimes.set(runtime.name, runtime)
      for await (const properties of this.client.listQueues()) yield toQueueInfo(properties, runtimes.get(properties.name))
    } catch (error) {
      throw toManagementError(error, {what: 'list queues', endpoint: this.target.endpoint})
    }
  }

  async getQueue(name: string): Promise<QueueInfo> {
    return this.call(
      'get queue',
      async () => {
        const [properties, runtime] = await Promise.all([this.client.getQueue(name), this.client.getQueueRuntimeProperties(name)])
        return toQueueInfo(properties, runtime)
      },
      name,
    )
  }

  queueExists(name: string): Promise<boolean> {
    return this.call('check queue', () => this.client.queueExists(name), name)
  }

  async createQueue(name: string, spec: QueueSpec): Promise<QueueInfo> {
    const options = applySpec(
      {
        requiresSession: spec.requiresSession,
        requiresDuplicateDetection: spec.duplicateDetectionWindowMs !== undefined ? true : undefined,
      },
      spec,
    )
    const created = await this.call('create queue', () => this.client.createQueue(name, options), name)
    return toQueueInfo(created)
  }

  async updateQueue(name: string, spec: QueueSpec): Promise<QueueInfo> {
    const current = await this.call('get queue', () => this.client.getQueue(name), name)
    if (spec.requiresSession !== undefined && spec.requiresSession !== current.requiresSession) {
      throw new UsageError('sessions cannot be turned on or off on an existing queue', {
        hint: 'Create a new queue with --requires-session.',
      })
    }
    if (spec.duplicateDetectionWindowMs !== undefined && !current.requiresDuplicateDetection) {
      throw new UsageError('duplicate detection cannot be turned on for an existing queue', {
        hint: 'Create a new queue with --duplicate-detection-window.',
      })
    }
    checkPartitioningUnchanged(spec, current.enablePartitioning)
    const updated = await this.call('update queue', () => this.client.updateQueue(applySpec(current, spec)), name)
    return toQueueInfo(updated)
  }

  async deleteQueue(name: string): Promise<void> {
    await this.call('delete queue', () => this.client.deleteQueue(name), name)
  }

  async listPolicies(queue: string): Promise<PolicyInfo[]> {
    const properties = await this.call('get queue', () => this.client.getQueue(queue), queue)
    return (properties.authorizationRules ?? []).map(rule => policyInfo(queue, rule))
  }

  async createPolicy(queue: string, name: string, rights: AccessRight[]): Promise<PolicyInfo> {
    const properties = await this.call('get queue', () => this.client.getQueue(queue), queue)
    const rules = properties.authorizationRules ?? []
    if (rules.some(rule => rule.keyName === name)) throw new OperationError(`queue "${queue}" already has a policy named "${name}"`)
    const rule = newAuthorizationRule(name, rights)
    await this.saveRules(properties, [...rules, rule])
    return policyInfo(queue, rule)
  }

  async deletePolicy(queue: string, name: string): Promise<void> {
    const properties = await this.call('get queue', () => this.client.getQueue(queue), queue)
    const rules = properties.authorizationRules ?? []
    if (!rules.some(rule => rule.keyName === name)) throw new NotFoundError(`queue "${queue}" has no policy named "${name}"`)
    await this.saveRules(
      properties,
      rules.filter(rule => rule.keyName !== name),
    )
  }

  async renewPolicyKey(queue: string, name: string, key: PolicyKey): Promise<PolicyInfo> {
    const properties = await this.call('get queue', () => this.client.getQueue(queue), queue)
    const rules = properties.authorizationRules ?? []
    const rule = rules.find(candidate => candidate.keyName === name)
    if (!rule)
      throw new NotFoundError(`queue "${queue}" has no policy named "${name}"`, {
        hint: `List them with "qjob queue policy list --queue ${queue}".`,
      })
    const renewed: AuthorizationRule = {...rule, [key === 'primary' ? 'primaryKey' : 'secondaryKey']: newKey()}
    await this.saveRules(
      properties,
      rules.map(candidate => (candidate === rule ? renewed : candidate)),
    )
    return policyInfo(queue, renewed)
  }

  async policyConnectionString(queue: string, name: string): Promise<string> {
    const properties = await this.call('get queue', () => this.client.getQueue(queue), queue)
    const rule = (properties.authorizationRules ?? []).find(candidate => candidate.keyName === name)
    if (!rule?.primaryKey)
      throw new NotFoundError(`queue "${queue}" has no policy named "${name}"`, {
        hint: `List them with "qjob queue policy list --queue ${queue}".`,
      })
    return entityConnectionString(this.target, rule, queue)
  }

  async dataConnectionString(): Promise<string | undefined> {
    return this.target.kind === 'connection-string' ? this.target.connectionString : undefined
  }

  private async saveRules(properties: WithResponse<QueueProperties>, rules: AuthorizationRule[]): Promise<void> {
    await this.call('update queue', () => this.client.updateQueue({...properties, authorizationRules: rules}), properties.name)
  }

  async close(): Promise<void> {}
}
