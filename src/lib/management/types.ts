// One interface over the two ways to manage queues: the ATOM API with a connection string, and
// Azure Resource Manager. Durations are milliseconds throughout; the backends convert.
import type {TopicManagement} from './topics/types.js'

export type AccessRight = 'Listen' | 'Send' | 'Manage'

/** Settable queue properties; undefined leaves a value as it is (update) or at its default (create). */
export interface QueueSpec {
  lockDurationMs?: number
  maxDeliveryCount?: number
  defaultTtlMs?: number
  deadLetterOnExpiration?: boolean
  requiresSession?: boolean
  /** Set: duplicate detection on, with this history window. */
  duplicateDetectionWindowMs?: number
  maxSizeMb?: number
  maxMessageSizeKb?: number
  /** Delete the queue after this long idle (at least 5 minutes in Azure). */
  autoDeleteOnIdleMs?: number
  status?: QueueStatus
  /** Create only: Azure fixes partitioning when the queue is created. */
  enablePartitioning?: boolean
  /** Auto-forward every message (or every dead letter) to this queue or topic; '' stops it. */
  forwardTo?: string
  forwardDeadLettersTo?: string
}

/** `sb://host/name` (how the service answers a ForwardTo) -> `name`. */
export function forwardTarget(value: string | undefined): string | undefined {
  if (!value) return undefined
  return /^[a-z]+:\/\/[^/]+\/(.+)$/i.exec(value)?.[1] ?? value
}

export type QueueStatus = 'Active' | 'Disabled' | 'SendDisabled' | 'ReceiveDisabled'
export const QUEUE_STATUSES: readonly QueueStatus[] = ['Active', 'Disabled', 'SendDisabled', 'ReceiveDisabled']

export type PolicyKey = 'primary' | 'secondary'

export interface QueueCounts {
  active: number
  deadLetter: number
  scheduled: number
  transfer: number
  transferDeadLetter: number
  total?: number
  sizeInBytes?: number
}

export interface QueueInfo {
  name: string
  status: string
  lockDurationMs: number
  maxDeliveryCount: number
  defaultTtlMs: number
  deadLetterOnExpiration: boolean
  requiresSession: boolean
  duplicateDetection: boolean
  duplicateDetectionWindowMs: number
  maxSizeMb: number
  maxMessageSizeKb?: number
  autoDeleteOnIdleMs?: number
  enablePartitioning?: boolean
  forwardTo?: string
  forwardDeadLettersTo?: string
  createdAt?: string
  updatedAt?: string
  counts?: QueueCounts
}

export interface PolicyInfo {
  name: string
  queue: string
  rights: AccessRight[]
}

export interface ManagementBackend {
  readonly kind: 'atom' | 'arm'
  /** Topics, subscriptions and rules on the same namespace. */
  readonly topics: TopicManagement
  listQueues(): AsyncIterable<QueueInfo>
  getQueue(name: string): Promise<QueueInfo>
  queueExists(name: string): Promise<boolean>
  createQueue(name: string, spec: QueueSpec): Promise<QueueInfo>
  updateQueue(name: string, spec: QueueSpec): Promise<QueueInfo>
  deleteQueue(name: string): Promise<void>
  listPolicies(queue: string): Promise<PolicyInfo[]>
  createPolicy(queue: string, name: string, rights: AccessRight[]): Promise<PolicyInfo>
  deletePolicy(queue: string, name: string): Promise<void>
  /** Replaces one key of a policy with a new random one; clients holding the old key lose access at their next token renewal. */
  renewPolicyKey(queue: string, name: string, key: PolicyKey): Promise<PolicyInfo>
  /** A policy's connection string (a secret: printed only on request). */
  policyConnectionString(queue: string, name: string): Promise<string>
  /** A connection string for the data plane (purge), from the backend's own credentials. */
  dataConnectionString(): Promise<string | undefined>
  close(): Promise<void>
}
