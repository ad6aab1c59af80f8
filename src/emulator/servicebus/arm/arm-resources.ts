// The emulator's queues and their policies as Azure Resource Manager JSON resources (the shapes
// @azure/arm-servicebus serialises and parses, api-version 2021-11-01).
import {formatIsoDuration} from '../../../common/duration.js'
import type {Broker} from '../broker/broker.js'
import type {AuthorizationRule, QueueProperties, QueueSettings} from '../broker/queue-properties.js'
import {parseDurationMs} from '../config/durations.js'
import {TIMESPAN_MAX_MS} from '../constants.js'

export interface ArmScopePath {
  subscription: string
  resourceGroup: string
  namespace: string
}

export function namespaceId(scope: ArmScopePath): string {
  return `/subscriptions/${scope.subscription}/resourceGroups/${scope.resourceGroup}/providers/Microsoft.ServiceBus/namespaces/${scope.namespace}`
}

export function queueResource(scope: ArmScopePath, queue: QueueProperties, broker: Broker): Record<string, unknown> {
  const counts = broker.runtimeCounts(queue.name)
  return {
    id: `${namespaceId(scope)}/queues/${queue.name}`,
    name: queue.name,
    type: 'Microsoft.ServiceBus/Namespaces/Queues',
    location: 'local',
    properties: {
      lockDuration: formatIsoDuration(queue.lockDurationMs),
      maxSizeInMegabytes: queue.maxSizeInMegabytes,
      maxMessageSizeInKilobytes: queue.maxMessageSizeInKilobytes,
      requiresDuplicateDetection: queue.requiresDuplicateDetection,
      requiresSession: queue.requiresSession,
      defaultMessageTimeToLive: formatIsoDuration(queue.defaultMessageTimeToLiveMs),
      deadLetteringOnMessageExpiration: queue.deadLetteringOnMessageExpiration,
      duplicateDetectionHistoryTimeWindow: formatIsoDuration(queue.duplicateDetectionHistoryTimeWindowMs),
      maxDeliveryCount: queue.maxDeliveryCount,
      status: queue.status,
      enableBatchedOperations: queue.enableBatchedOperations,
      enablePartitioning: queue.enablePartitioning ?? false,
      autoDeleteOnIdle: formatIsoDuration(queue.autoDeleteOnIdleMs ?? TIMESPAN_MAX_MS),
      enableExpress: false,
      ...(queue.forwardTo ? {forwardTo: queue.forwardTo} : {}),
      ...(queue.forwardDeadLetteredMessagesTo ? {forwardDeadLetteredMessagesTo: queue.forwardDeadLetteredMessagesTo} : {}),
      createdAt: new Date(queue.createdAt).toISOString(),
      updatedAt: new Date(queue.updatedAt).toISOString(),
      accessedAt: new Date(queue.updatedAt).toISOString(),
      sizeInBytes: counts.sizeInBytes,
      messageCount: counts.totalMessageCount,
      countDetails: {
        activeMessageCount: counts.activeMessageCount,
        deadLetterMessageCount: counts.deadLetterMessageCount,
        scheduledMessageCount: counts.scheduledMessageCount,
        transferMessageCount: counts.transferMessageCount,
        transferDeadLetterMessageCount: counts.transferDeadLetterMessageCount,
      },
    },
  }
}

const DURATION_FIELDS = [
  ['lockDuration', 'lockDurationMs'],
  ['defaultMessageTimeToLive', 'defaultMessageTimeToLiveMs'],
  ['duplicateDetectionHistoryTimeWindow', 'duplicateDetectionHistoryTimeWindowMs'],
  ['autoDeleteOnIdle', 'autoDeleteOnIdleMs'],
] as const
const PLAIN_FIELDS = [
  'maxSizeInMegabytes',
  'maxMessageSizeInKilobytes',
  'requiresDuplicateDetection',
  'requiresSession',
  'deadLetteringOnMessageExpiration',
  'maxDeliveryCount',
  'status',
  'enableBatchedOperations',
  'enablePartitioning',
] as const

/** An ARM PUT body's `properties` -> broker queue settings (unknown or read-only fields ignored). */
export function queueSettingsOf(properties: Record<string, unknown>): QueueSettings {
  const settings: Record<string, unknown> = {}
  for (const [arm, field] of DURATION_FIELDS) {
    if (properties[arm] !== undefined && properties[arm] !== null) settings[field] = parseDurationMs(properties[arm], arm)
  }
  for (const field of PLAIN_FIELDS) {
    if (properties[field] !== undefined && properties[field] !== null) settings[field] = properties[field]
  }
  // PUT replaces the resource: a forward not sent is a forward removed.
  for (const field of ['forwardTo', 'forwardDeadLetteredMessagesTo'] as const)
    settings[field] = typeof properties[field] === 'string' ? properties[field] : ''
  return settings as QueueSettings
}

export function ruleResource(scope: ArmScopePath, queue: string, rule: AuthorizationRule): Record<string, unknown> {
  return {
    id: `${namespaceId(scope)}/queues/${queue}/authorizationRules/${rule.keyName}`,
    name: rule.keyName,
    type: 'Microsoft.ServiceBus/Namespaces/Queues/AuthorizationRules',
    properties: {rights: rule.rights},
  }
}

export function keysResource(rule: AuthorizationRule, connectionString: (key: string) => string): Record<string, unknown> {
  const secondaryKey = rule.secondaryKey ?? rule.primaryKey
  return {
    keyName: rule.keyName,
    primaryKey: rule.primaryKey,
    secondaryKey,
    primaryConnectionString: connectionString(rule.primaryKey),
    secondaryConnectionString: connectionString(secondaryKey),
  }
}
