// The Azure Resource Manager backend: @azure/arm-servicebus with DefaultAzureCredential (or a
// bearer token from AZURE_ACCESS_TOKEN, e.g. from "az account get-access-token" or the emulator).
// Queue policies are ARM authorization rules; their keys come from list-keys.
import type {SBAuthorizationRule, SBQueue, ServiceBusManagementClient} from '@azure/arm-servicebus'
import type {AccessToken, TokenCredential} from '@azure/identity'

import {formatIsoDuration, parseIsoDuration} from '../../common/duration.js'
import {NotFoundError, UsageError} from '../../common/errors.js'
import {registerSecret} from '../../common/redact.js'
import {writableFields} from './arm-writable.js'
import {toManagementError} from './errors.js'
import {checkPartitioningUnchanged} from './queue-spec.js'
import {
  type AccessRight,
  forwardTarget,
  type ManagementBackend,
  type PolicyInfo,
  type PolicyKey,
  type QueueInfo,
  type QueueSpec,
} from './types.js'
import {ArmTopics} from './topics/arm-topics.js'
import type {TopicManagement} from './topics/types.js'

export interface ArmScope {
  subscription: string
  resourceGroup: string
  namespaceName: string
  /** Resource Manager base URL (default: the public cloud's). */
  endpoint?: string
  /** A bearer token to use instead of DefaultAzureCredential. */
  token?: string
}

/** A fixed bearer token: for CI jobs that already hold one, and for the local emulator. */
function staticTokenCredential(token: string): TokenCredential {
  registerSecret(token)
  return {
    getToken: async (): Promise<AccessToken> => ({token, expiresOnTimestamp: Date.now() + 3_600_000}),
  }
}

function toQueueInfo(queue: SBQueue): QueueInfo {
  const counts = queue.countDetails
  return {
    name: queue.name ?? '',
    status: queue.status ?? 'Active',
    lockDurationMs: parseIsoDuration(queue.lockDuration),
    maxDeliveryCount: queue.maxDeliveryCount ?? 0,
    defaultTtlMs: parseIsoDuration(queue.defaultMessageTimeToLive),
    deadLetterOnExpiration: queue.deadLetteringOnMessageExpiration ?? false,
    requiresSession: queue.requiresSession ?? false,
    duplicateDetection: queue.requiresDuplicateDetection ?? false,
    duplicateDetectionWindowMs: parseIsoDuration(queue.duplicateDetectionHistoryTimeWindow),
    maxSizeMb: queue.maxSizeInMegabytes ?? 0,
    maxMessageSizeKb: queue.maxMessageSizeInKilobytes,
    autoDeleteOnIdleMs: queue.autoDeleteOnIdle === undefined ? undefined : parseIsoDuration(queue.autoDeleteOnIdle),
    forwardTo: forwardTarget(queue.forwardTo),
    forwardDeadLettersTo: forwardTarget(queue.forwardDeadLetteredMessagesTo),
    enablePartitioning: queue.enablePartitioning,
    createdAt: queue.createdAt?.toISOString(),
    updatedAt: queue.updatedAt?.toISOString(),
    counts: counts && {
      active: counts.activeMessageCount ?? 0,
      deadLetter: counts.deadLetterMessageCount ?? 0,
      scheduled: counts.scheduledMessageCount ?? 0,
      transfer: counts.transferMessageCount ?? 0,
      transferDeadLetter: counts.transferDeadLetterMessageCount ?? 0,
      total: queue.messageCount,
      sizeInBytes: queue.sizeInBytes,
    },
  }
}

function specToQueue(spec: QueueSpec): SBQueue {
  const queue: SBQueue = {}
  if (spec.lockDurationMs !== undefined) queue.lockDuration = formatIsoDuration(spec.lockDurationMs)
  if (spec.maxDeliveryCount !== undefined) queue.maxDeliveryCount = spec.maxDeliveryCount
  if (spec.defaultTtlMs !== undefined) queue.defaultMessageTimeToLive = formatIsoDuration(spec.defaultTtlMs)
  if (spec.deadLetterOnExpiration !== undefined) queue.deadLetteringOnMessageExpiration = spec.deadLetterOnExpiration
  if (spec.requiresSession !== undefined) queue.requiresSession = spec.requiresSession
  if (spec.duplicateDetectionWindowMs !== undefined) {
    queue.requiresDuplicateDetection = true
    queue.duplicateDetectionHistoryTimeWindow = formatIsoDuration(spec.duplicateDetectionWindowMs)
  }
  if (spec.maxSizeMb !== undefined) queue.maxSizeInMegabytes = spec.maxSizeMb
  if (spec.maxMessageSizeKb !== undefined) queue.maxMessageSizeInKilobytes = spec.maxMessageSizeKb
  if (spec.autoDeleteOnIdleMs !== undefined) queue.autoDeleteOnIdle = formatIsoDuration(spec.autoDeleteOnIdleMs)
  if (spec.status !== undefined) queue.status = spec.status
  if (spec.forwardTo !== undefined) queue.forwardTo = spec.forwardTo
  if (spec.forwardDeadLettersTo !== undefined) queue.forwardDeadLetteredMessagesTo = spec.forwardDeadLettersTo
  if (spec.enablePartitioning !== undefined) queue.enablePartitioning = spec.enablePartitioning
  return queue
}

function policyInfo(queue: string, rule: SBAuthorizationRule): PolicyInfo {
  return {name: rule.name ?? '', queue, rights: (rule.rights ?? []) as AccessRight[]}
}

export class ArmBackend implements ManagementBackend {
  readonly kind = 'arm' as const
  readonly topics: TopicManagement

  private constructor(
    private readonly client: ServiceBusManagementClient,
    private readonly scope: ArmScope,
  ) {
    this.topics = new ArmTopics(client, [scope.resourceGroup, scope.namespaceName])
  }

  static async open(scope: ArmScope): Promise<ArmBackend> {
    const {ServiceBusManagementClient} = await import('./arm-sdk.js')
    const credential = scope.token ? staticTokenCredential(scope.token) : new (await import('@azure/identity')).DefaultAzureCredential()
    const options = {
      retryOptions: {maxRetries: 2, retryDelayInMs: 250, maxRetryDelayInMs: 2000},
      ...(scope.endpoint ? {endpoint: scope.endpoint} : {}),
    }
    return new ArmBackend(new ServiceBusManagementClient(credential, scope.subscription, options), scope)
  }

  private async call<T>(what: string, work: () => Promise<T>, queue?: string): Promise<T> {
    try {
      return await work()
    } catch (error) {
      throw toManagementError(error, {what, queue})
    }
  }

  private get at(): [string, string] {
    return [this.scope.resourceGroup, this.scope.namespaceName]
  }

  async *listQueues(): AsyncIterable<QueueInfo> {
    try {
      for await (const queue of this.client.queues.listByNamespace(...this.at)) yield toQueueInfo(queue)
    } catch (error) {
      throw toManagementError(error, {what: 'list queues'})
    }
  }

  getQueue(name: string): Promise<QueueInfo> {
    return this.call('get queue', async () => toQueueInfo(await this.client.queues.get(...this.at, name)), name)
  }

  async queueExists(name: string): Promise<boolean> {
    try {
      await this.getQueue(name)
      return true
    } catch (error) {
      if (error instanceof NotFoundError) return false
      throw error
    }
  }

  async createQueue(name: string, spec: QueueSpec): Promise<QueueInfo> {
    // ARM's PUT is an upsert; "already exists" is checked first, as the ATOM API does.
    if (await this.queueExists(name)) throw toManagementError({statusCode: 409}, {what: 'create queue', queue: name})
    return this.call(
      'create queue',
      async () => toQueueInfo(await this.client.queues.createOrUpdate(...this.at, name, specToQueue(spec))),
      name,
    )
  }

  async updateQueue(name: string, spec: QueueSpec): Promise<QueueInfo> {
    const current = await this.call('get queue', () => this.client.queues.get(...this.at, name), name)
    if (spec.requiresSession !== undefined && spec.requiresSession !== (current.requiresSession ?? false)) {
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
    const merged = {...writableFields(current), ...specToQueue(spec)}
    return this.call('update queue', async () => toQueueInfo(await this.client.queues.createOrUpdate(...this.at, name, merged)), name)
  }

  async deleteQueue(name: string): Promise<void> {
    await this.getQueue(name)
    await this.call('delete queue', () => this.client.queues.delete(...this.at, name), name)
  }

  async listPolicies(queue: string): Promise<PolicyInfo[]> {
    return this.call(
      'list policies',
      async () => {
        const rules: PolicyInfo[] = []
        for await (const rule of this.client.queues.listAuthorizationRules(...this.at, queue)) rules.push(policyInfo(queue, rule))
        return rules
      },
      queue,
    )
  }

  async createPolicy(queue: string, name: string, rights: AccessRight[]): Promise<PolicyInfo> {
    const rule = await this.call(
      'create policy',
      () => this.client.queues.createOrUpdateAuthorizationRule(...this.at, queue, name, {rights}),
      queue,
    )
    return policyInfo(queue, rule)
  }

  async deletePolicy(queue: string, name: string): Promise<void> {
    await this.call('get policy', () => this.client.queues.getAuthorizationRule(...this.at, queue, name), queue)
    await this.call('delete policy', () => this.client.queues.deleteAuthorizationRule(...this.at, queue, name), queue)
  }

  async renewPolicyKey(queue: string, name: string, key: PolicyKey): Promise<PolicyInfo> {
    const rule = await this.call('get policy', () => this.client.queues.getAuthorizationRule(...this.at, queue, name), queue)
    const keys = await this.call(
      'regenerate key',
      () => this.client.queues.regenerateKeys(...this.at, queue, name, {keyType: key === 'primary' ? 'PrimaryKey' : 'SecondaryKey'}),
      queue,
    )
    registerSecret(keys.primaryKey)
    registerSecret(keys.secondaryKey)
    return policyInfo(queue, rule)
  }

  async policyConnectionString(queue: string, name: string): Promise<string> {
    const keys = await this.call('list keys', () => this.client.queues.listKeys(...this.at, queue, name), queue)
    if (!keys.primaryConnectionString) throw new NotFoundError(`policy "${name}" of queue "${queue}" has no keys`)
    registerSecret(keys.primaryKey)
    return keys.primaryConnectionString
  }

  async dataConnectionString(): Promise<string | undefined> {
    const keys = await this.call('list namespace keys', () => this.client.namespaces.listKeys(...this.at, 'RootManageSharedAccessKey'))
    registerSecret(keys.primaryKey)
    return keys.primaryConnectionString
  }

  async close(): Promise<void> {}
}
