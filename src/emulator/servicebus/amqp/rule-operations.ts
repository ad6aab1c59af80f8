// The rule operations of a subscription's $management link, as ServiceBusRuleManager sends them
// (SB src/core/managementClient.ts addRule / removeRule / getRules): `rule-name` and a
// `rule-description` map in; enumerate-rules answers described lists (rule-description: filter,
// action, name, created-at) with the service's descriptor codes.
import type {Broker} from '../broker/broker.js'
import {BrokerError, entityNotFound} from '../broker/broker-error.js'
import {CORRELATION_FIELDS, type RuleFilter, type RuleProperties} from '../broker/rules/rule.js'
import {SubscriptionQueue} from '../broker/topic.js'
import type {ManagementOperation, ManagementRequest} from './management-operations.js'
import {amqpTypes, type AmqpTyped} from './rhea-types.js'

const DESCRIPTOR = {
  ruleDescription: 0x0000_0137_0000_0004,
  sqlFilter: 83483426822,
  trueFilter: 83483426823,
  falseFilter: 83483426824,
  correlationFilter: 83483426825,
  emptyRuleAction: 0x0000_0137_0000_0005,
  sqlRuleAction: 0x0000_0137_0000_0006,
} as const
const COMPATIBILITY_LEVEL = 20
/** The AMQP names of the correlation filter's fields, in the described list's order. */
const CORRELATION_KEYS: Record<(typeof CORRELATION_FIELDS)[number], string> = {
  correlationId: 'correlation-id',
  messageId: 'message-id',
  to: 'to',
  replyTo: 'reply-to',
  subject: 'label',
  sessionId: 'session-id',
  replyToSessionId: 'reply-to-session-id',
  contentType: 'content-type',
}
const LIST_ORDER = ['correlationId', 'messageId', 'to', 'replyTo', 'subject', 'sessionId', 'replyToSessionId', 'contentType'] as const

function subscriptionOf(broker: Broker, path: string): SubscriptionQueue {
  const entity = broker.entities.get(path.toLowerCase())
  if (!(entity instanceof SubscriptionQueue)) throw entityNotFound(path)
  return entity
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value)

function ruleName(body: Record<string, unknown>): string {
  const name = body['rule-name']
  if (typeof name !== 'string' || name === '') throw new BrokerError('BadRequest', "'rule-name' is required")
  return name
}

function ruleFromDescription(name: string, description: unknown, now: number): RuleProperties {
  if (!isObject(description)) throw new BrokerError('BadRequest', "'rule-description' must be a map")
  let filter: RuleFilter
  const sql = description['sql-filter']
  const correlation = description['correlation-filter']
  if (isObject(sql)) filter = {kind: 'sql', sqlExpression: String(sql.expression ?? '')}
  else if (isObject(correlation)) {
    const result: Extract<RuleFilter, {kind: 'correlation'}> = {kind: 'correlation'}
    for (const field of CORRELATION_FIELDS) {
      const value = correlation[CORRELATION_KEYS[field]]
      if (value !== undefined && value !== null) result[field] = String(value)
    }
    if (isObject(correlation.properties)) result.applicationProperties = correlation.properties as Record<string, string | number | boolean>
    filter = result
  } else throw new BrokerError('BadRequest', "'rule-description' needs a 'sql-filter' or a 'correlation-filter'")
  const rule: RuleProperties = {name, filter, createdAt: now}
  const action = description['sql-rule-action']
  if (isObject(action) && action.expression !== undefined) rule.action = {sqlExpression: String(action.expression)}
  return rule
}

const described = (code: number, items: AmqpTyped[]) => amqpTypes.described(amqpTypes.wrap_ulong(code), amqpTypes.List32(items))
const text = (value: string | undefined) => (value === undefined ? amqpTypes.wrap(null) : amqpTypes.wrap_string(value))

function filterList(filter: RuleFilter): AmqpTyped {
  switch (filter.kind) {
    case 'true':
      return described(DESCRIPTOR.trueFilter, [amqpTypes.wrap_string('1=1'), amqpTypes.wrap_int(COMPATIBILITY_LEVEL)])
    case 'false':
      return described(DESCRIPTOR.falseFilter, [amqpTypes.wrap_string('1=0'), amqpTypes.wrap_int(COMPATIBILITY_LEVEL)])
    case 'sql':
      return described(DESCRIPTOR.sqlFilter, [amqpTypes.wrap_string(filter.sqlExpression), amqpTypes.wrap_int(COMPATIBILITY_LEVEL)])
    case 'correlation':
      return described(DESCRIPTOR.correlationFilter, [
        ...LIST_ORDER.map(field => text(filter[field])),
        amqpTypes.wrap_map(filter.applicationProperties ?? {}),
      ])
  }
}

function ruleDescription(rule: RuleProperties): AmqpTyped {
  const action = rule.action
    ? described(DESCRIPTOR.sqlRuleAction, [amqpTypes.wrap_string(rule.action.sqlExpression), amqpTypes.wrap_int(COMPATIBILITY_LEVEL)])
    : described(DESCRIPTOR.emptyRuleAction, [])
  return described(DESCRIPTOR.ruleDescription, [
    filterList(rule.filter),
    action,
    amqpTypes.wrap_string(rule.name),
    amqpTypes.wrap_timestamp(rule.createdAt),
  ])
}

function intField(body: Record<string, unknown>, field: string, fallback: number): number {
  const value = Number(body[field] ?? fallback)
  return Number.isInteger(value) && value >= 0 ? value : fallback
}

export const RULE_OPERATIONS: Record<string, ManagementOperation> = {
  'com.microsoft:add-rule': {
    rights: ['Manage'],
    async handle(broker, {path, body}: ManagementRequest) {
      const {subscription} = subscriptionOf(broker, path)
      const rule = ruleFromDescription(ruleName(body), body['rule-description'], broker.now())
      await broker.topics.putRule(subscription.topicName, subscription.subscriptionName, rule)
      return {statusCode: 200}
    },
  },
  'com.microsoft:remove-rule': {
    rights: ['Manage'],
    async handle(broker, {path, body}: ManagementRequest) {
      const {subscription} = subscriptionOf(broker, path)
      await broker.topics.deleteRule(subscription.topicName, subscription.subscriptionName, ruleName(body))
      return {statusCode: 200}
    },
  },
  'com.microsoft:enumerate-rules': {
    rights: ['Manage'],
    handle(broker, {path, body}: ManagementRequest) {
      const {subscription} = subscriptionOf(broker, path)
      const skip = intField(body, 'skip', 0)
      const top = intField(body, 'top', Number.MAX_SAFE_INTEGER)
      const rules = broker.topics.listRules(subscription.topicName, subscription.subscriptionName).slice(skip, skip + top)
      if (rules.length === 0) return {statusCode: 204}
      return {statusCode: 200, body: {rules: rules.map(rule => ({'rule-description': ruleDescription(rule)}))}}
    },
  },
}
