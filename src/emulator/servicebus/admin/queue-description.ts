// QueueDescription, the body of the ATOM queue API: read by field name from what the SDK sends
// (src/serializers/queueResourceSerializer.ts, buildQueueOptions) and written with every field
// the SDK's buildQueue / buildQueueRuntimeProperties require. Durations are xs:duration.
import {randomBytes} from 'node:crypto'

import {registerSecret} from '../../../common/redact.js'
import {BrokerError} from '../broker/broker-error.js'
import type {QueueRuntimeCounts} from '../broker/broker.js'
import type {AccessRight, AuthorizationRule, EntityStatus, QueueProperties, QueueSettings} from '../broker/queue-properties.js'
import {formatIsoDuration} from '../../../common/duration.js'
import {parseDurationMs} from '../config/durations.js'
import {NAMESPACE, TIMESPAN_MAX_MS} from '../constants.js'
import {ATOM, FOREVER_DURATION} from './constants.js'
import {childNode, element, leaf, textOf, type XmlNode, type XmlValue} from './xml.js'

const RIGHTS: readonly AccessRight[] = ['Listen', 'Send', 'Manage']
const STATUSES: readonly EntityStatus[] = ['Active', 'Disabled', 'SendDisabled', 'ReceiveDisabled']
const CLAIM_TYPE = 'SharedAccessKey'
const RULE_TYPE = 'SharedAccessAuthorizationRule'
/** Fields a client may send back (they come with getQueue's output) that only the service sets. */
const READ_ONLY = new Set([
  'SizeInBytes',
  'MessageCount',
  'IsAnonymousAccessible',
  'CreatedAt',
  'UpdatedAt',
  'AccessedAt',
  'SupportOrdering',
  'CountDetails',
  'EntityAvailabilityStatus',
])

function badRequest(message: string): BrokerError {
  return new BrokerError('BadRequest', message)
}

export function formatXsDuration(ms: number): string {
  return ms >= TIMESPAN_MAX_MS ? FOREVER_DURATION : formatIsoDuration(ms)
}

export function parseXsDuration(text: string, field: string): number {
  try {
    return Math.min(parseDurationMs(text, field), TIMESPAN_MAX_MS)
  } catch {
    throw badRequest(`${field} must be an xs:duration such as PT30S, got '${text}'.`)
  }
}

export function parseBoolean(text: string, field: string): boolean {
  const value = text.trim().toLowerCase()
  if (value === 'true' || value === 'false') return value === 'true'
  throw badRequest(`${field} must be true or false, got '${text}'.`)
}

export function parseInteger(text: string, field: string): number {
  if (!/^\d{1,15}$/.test(text.trim())) throw badRequest(`${field} must be a whole number, got '${text}'.`)
  return Number(text.trim())
}

/** The queue settings in an Atom `<entry>` holding a QueueDescription. */
export function queueSettingsFromEntry(document: XmlNode): QueueSettings {
  const content = childNode(childNode(document.entry)?.content)
  const names = content ? Object.keys(content).filter(key => key !== '$' && key !== '_') : []
  if (names.length === 0) throw badRequest('The request body must be an Atom entry whose content holds a QueueDescription.')
  if (names[0] !== 'QueueDescription') throw badRequest(`The request body holds a ${names[0]}, not a QueueDescription.`)
  const description = content!.QueueDescription
  return queueSettingsFrom(childNode(description) ?? {})
}

function queueSettingsFrom(fields: XmlNode): QueueSettings {
  const settings: QueueSettings = {}
  for (const [name, value] of Object.entries(fields)) {
    if (name === '$' || name === '_' || READ_ONLY.has(name)) continue
    const text = textOf(value) ?? ''
    switch (name) {
      case 'LockDuration':
        settings.lockDurationMs = parseXsDuration(text, name)
        break
      case 'DefaultMessageTimeToLive':
        settings.defaultMessageTimeToLiveMs = parseXsDuration(text, name)
        break
      case 'DuplicateDetectionHistoryTimeWindow':
        settings.duplicateDetectionHistoryTimeWindowMs = parseXsDuration(text, name)
        break
      case 'MaxSizeInMegabytes':
        settings.maxSizeInMegabytes = parseInteger(text, name)
        break
      case 'MaxDeliveryCount':
        settings.maxDeliveryCount = parseInteger(text, name)
        break
      case 'MaxMessageSizeInKilobytes':
        settings.maxMessageSizeInKilobytes = parseInteger(text, name)
        break
      case 'RequiresSession':
        settings.requiresSession = parseBoolean(text, name)
        break
      case 'RequiresDuplicateDetection':
        settings.requiresDuplicateDetection = parseBoolean(text, name)
        break
      case 'DeadLetteringOnMessageExpiration':
        settings.deadLetteringOnMessageExpiration = parseBoolean(text, name)
        break
      case 'EnableBatchedOperations':
        settings.enableBatchedOperations = parseBoolean(text, name)
        break
      case 'Status':
        if (!STATUSES.includes(text as EntityStatus)) throw badRequest(`Status must be one of ${STATUSES.join(', ')}, got '${text}'.`)
        settings.status = text as EntityStatus
        break
      case 'UserMetadata':
        if (text.length > 1024) throw badRequest('UserMetadata may hold at most 1024 characters.')
        settings.userMetadata = text
        break
      case 'AuthorizationRules':
        settings.authorizationRules = rulesFrom(value)
        break
      case 'AutoDeleteOnIdle':
        settings.autoDeleteOnIdleMs = parseXsDuration(text, name)
        break
      case 'EnablePartitioning':
        settings.enablePartitioning = parseBoolean(text, name)
        break
      case 'EnableExpress':
        if (parseBoolean(text, name)) throw badRequest(`${name} is not supported by the emulator.`)
        break
      case 'ForwardTo':
        settings.forwardTo = text.trim() === '' ? undefined : text.trim()
        break
      case 'ForwardDeadLetteredMessagesTo':
        settings.forwardDeadLetteredMessagesTo = text.trim() === '' ? undefined : text.trim()
        break
      default:
        throw badRequest(`Unknown QueueDescription field '${name}'.`)
    }
  }
  return settings
}

function generatedKey(): string {
  return randomBytes(NAMESPACE.generatedKeyBytes).toString('base64')
}

function checkedKey(text: string | undefined, keyName: string): string {
  if (text === undefined || text.trim() === '') return generatedKey()
  if (text.length < 8 || text.length > 256) throw badRequest(`The keys of rule '${keyName}' must be 8 to 256 characters long.`)
  return text
}

export function rulesFrom(value: XmlValue): AuthorizationRule[] {
  const container = childNode(value)
  const raw = container?.AuthorizationRule
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]
  const rules = list.map(item => {
    const rule = childNode(item) ?? {}
    const keyName = textOf(rule.KeyName)?.trim() ?? ''
    if (!/^[A-Za-z0-9._-]{1,256}$/.test(keyName))
      throw badRequest(`An authorization rule needs a KeyName of letters, digits, '.', '-' or '_', got '${keyName}'.`)
    const claimType = textOf(rule.ClaimType)
    if (claimType !== undefined && claimType !== CLAIM_TYPE) throw badRequest(`Rule '${keyName}': ClaimType must be '${CLAIM_TYPE}'.`)
    const rightsNode = childNode(rule.Rights)?.AccessRights
    const rights = (Array.isArray(rightsNode) ? rightsNode : []).map(right => textOf(right)?.trim() ?? '')
    if (rights.length === 0 || !rights.every(right => RIGHTS.includes(right as AccessRight))) {
      throw badRequest(`Rule '${keyName}' needs AccessRights, some of ${RIGHTS.join(', ')}.`)
    }
    if (rights.includes('Manage') && !(rights.includes('Listen') && rights.includes('Send'))) {
      throw badRequest(`Rule '${keyName}': Manage rights also need Listen and Send.`)
    }
    const primaryKey = checkedKey(textOf(rule.PrimaryKey), keyName)
    const secondaryKey = checkedKey(textOf(rule.SecondaryKey), keyName)
    registerSecret(primaryKey)
    registerSecret(secondaryKey)
    return {keyName, primaryKey, secondaryKey, rights: [...new Set(rights)] as AccessRight[]}
  })
  const names = rules.map(rule => rule.keyName.toLowerCase())
  if (new Set(names).size !== names.length) throw badRequest('Authorization rule KeyNames must be unique within a queue.')
  return rules
}

const iso = (ms: number) => new Date(ms).toISOString()

export function ruleXml(rule: AuthorizationRule, at: string): string {
  return element(
    'AuthorizationRule',
    [
      leaf('ClaimType', CLAIM_TYPE),
      leaf('ClaimValue', 'None'),
      element(
        'Rights',
        rule.rights.map(right => leaf('AccessRights', right)),
      ),
      leaf('CreatedTime', at),
      leaf('ModifiedTime', at),
      leaf('KeyName', rule.keyName),
      leaf('PrimaryKey', rule.primaryKey),
      rule.secondaryKey === undefined ? '' : leaf('SecondaryKey', rule.secondaryKey),
    ],
    {'i:type': RULE_TYPE},
  )
}

/** `<QueueDescription>` with every field the SDK reads, runtime counts included. */
export function queueDescriptionXml(queue: QueueProperties, counts: QueueRuntimeCounts): string {
  const countPrefix = 'd2p1'
  const count = (name: string, value: number) => leaf(`${countPrefix}:${name}`, value)
  return element(
    'QueueDescription',
    [
      leaf('LockDuration', formatXsDuration(queue.lockDurationMs)),
      leaf('MaxSizeInMegabytes', queue.maxSizeInMegabytes),
      leaf('RequiresDuplicateDetection', queue.requiresDuplicateDetection),
      leaf('RequiresSession', queue.requiresSession),
      leaf('DefaultMessageTimeToLive', formatXsDuration(queue.defaultMessageTimeToLiveMs)),
      leaf('DeadLetteringOnMessageExpiration', queue.deadLetteringOnMessageExpiration),
      leaf('DuplicateDetectionHistoryTimeWindow', formatXsDuration(queue.duplicateDetectionHistoryTimeWindowMs)),
      leaf('MaxDeliveryCount', queue.maxDeliveryCount),
      leaf('EnableBatchedOperations', queue.enableBatchedOperations),
      leaf('SizeInBytes', counts.sizeInBytes),
      leaf('MessageCount', counts.totalMessageCount),
      leaf('IsAnonymousAccessible', false),
      element(
        'AuthorizationRules',
        queue.authorizationRules.map(rule => ruleXml(rule, iso(queue.updatedAt))),
      ),
      leaf('Status', queue.status),
      queue.forwardTo ? leaf('ForwardTo', queue.forwardTo) : '',
      leaf('CreatedAt', iso(counts.createdAt)),
      leaf('UpdatedAt', iso(counts.updatedAt)),
      leaf('AccessedAt', iso(counts.accessedAt)),
      leaf('SupportOrdering', true),
      element(
        'CountDetails',
        [
          count('ActiveMessageCount', counts.activeMessageCount),
          count('DeadLetterMessageCount', counts.deadLetterMessageCount),
          count('ScheduledMessageCount', counts.scheduledMessageCount),
          count('TransferMessageCount', counts.transferMessageCount),
          count('TransferDeadLetterMessageCount', counts.transferDeadLetterMessageCount),
        ],
        {[`xmlns:${countPrefix}`]: ATOM.countDetailsNamespace},
      ),
      leaf('AutoDeleteOnIdle', formatXsDuration(queue.autoDeleteOnIdleMs ?? TIMESPAN_MAX_MS)),
      leaf('EnablePartitioning', queue.enablePartitioning ?? false),
      leaf('EntityAvailabilityStatus', 'Available'),
      leaf('EnableExpress', false),
      queue.userMetadata ? leaf('UserMetadata', queue.userMetadata) : '',
      queue.forwardDeadLetteredMessagesTo ? leaf('ForwardDeadLetteredMessagesTo', queue.forwardDeadLetteredMessagesTo) : '',
      leaf('MaxMessageSizeInKilobytes', queue.maxMessageSizeInKilobytes),
    ],
    {xmlns: ATOM.connectNamespace, 'xmlns:i': ATOM.instanceNamespace},
  )
}
