// Subscription rules: a filter (SQL, correlation, true, false) and an optional SQL action.
// A rule is validated (parsed) when it is created, so invalid SQL is refused there with the
// service's error; matching then runs the parsed tree. Several rules: one copy of the message
// for the rules without an action that match, plus one copy per matching rule with an action.
import {BrokerError} from '../broker-error.js'
import type {SqlNode, SqlStatement} from './sql-ast.js'
import {SqlSyntaxError} from './sql-ast.js'
import {applyAction, filterMatches, unsettableReason, type ActionResult, type FilterMessage, type SqlValue} from './sql-eval.js'
import {parseSqlAction, parseSqlFilter} from './sql-parser.js'

export const DEFAULT_RULE_NAME = '$Default'

/** The correlation filter's system properties, as the SDK's CorrelationRuleFilter names them. */
export const CORRELATION_FIELDS = [
  'correlationId',
  'messageId',
  'to',
  'replyTo',
  'subject',
  'sessionId',
  'replyToSessionId',
  'contentType',
] as const
export type CorrelationField = (typeof CORRELATION_FIELDS)[number]

export type RuleFilter =
  | {kind: 'sql'; sqlExpression: string; sqlParameters?: Record<string, SqlValue>}
  | {kind: 'true'}
  | {kind: 'false'}
  | ({kind: 'correlation'; applicationProperties?: Record<string, string | number | boolean>} & Partial<Record<CorrelationField, string>>)

export interface RuleAction {
  sqlExpression: string
  sqlParameters?: Record<string, SqlValue>
}

export interface RuleProperties {
  name: string
  filter: RuleFilter
  action?: RuleAction
  createdAt: number
}

/** A rule ready to match: its filter and action parsed. */
export interface CompiledRule {
  properties: RuleProperties
  matches(message: FilterMessage): boolean
  /** The copy's properties after the action (undefined: the rule has no action). */
  act?(message: FilterMessage): ActionResult
}

const SYSTEM_OF: Record<CorrelationField, string> = {
  correlationId: 'correlationid',
  messageId: 'messageid',
  to: 'to',
  replyTo: 'replyto',
  subject: 'label',
  sessionId: 'sessionid',
  replyToSessionId: 'replytosessionid',
  contentType: 'contenttype',
}

function sqlError(error: unknown, what: string, expression: string): never {
  if (error instanceof SqlSyntaxError) {
    throw new BrokerError('BadRequest', `The ${what} '${expression}' is not valid: ${error.message}. SubCode=40000.`)
  }
  throw error
}

export function validateRuleName(name: string): void {
  if (name.length === 0 || name.length > 50 || name.includes('/') || name.includes('\\') || name.includes('?') || name.includes('#')) {
    throw new BrokerError('BadRequest', `invalid rule name "${name}": 1 to 50 characters, without / \\ ? #`)
  }
}

export function compileRule(properties: RuleProperties): CompiledRule {
  validateRuleName(properties.name)
  const {filter, action} = properties
  let matches: (message: FilterMessage) => boolean
  switch (filter.kind) {
    case 'true':
      matches = () => true
      break
    case 'false':
      matches = () => false
      break
    case 'sql': {
      let tree: SqlNode
      try {
        tree = parseSqlFilter(filter.sqlExpression)
      } catch (error) {
        sqlError(error, 'SQL filter expression', filter.sqlExpression)
      }
      matches = message => filterMatches(tree, message, filter.sqlParameters)
      break
    }
    case 'correlation': {
      const system = CORRELATION_FIELDS.filter(field => filter[field] !== undefined).map(
        field => [SYSTEM_OF[field], filter[field]] as const,
      )
      const user = Object.entries(filter.applicationProperties ?? {})
      if (system.length === 0 && user.length === 0)
        throw new BrokerError('BadRequest', 'A correlation filter needs at least one property to match. SubCode=40000.')
      matches = message =>
        system.every(([key, value]) => message.system.get(key) === value) && user.every(([key, value]) => message.user[key] === value)
      break
    }
    default:
      throw new BrokerError('BadRequest', `unknown filter kind '${(filter as {kind: string}).kind}'`)
  }
  const compiled: CompiledRule = {properties, matches}
  if (action && action.sqlExpression.trim() !== '') {
    let statements: SqlStatement[]
    try {
      statements = parseSqlAction(action.sqlExpression)
    } catch (error) {
      sqlError(error, 'SQL rule action', action.sqlExpression)
    }
    // A system property the action cannot set is refused here, not when a message arrives.
    for (const statement of statements) {
      const reason = statement.ref.scope === 'sys' ? unsettableReason(statement.ref.name) : undefined
      if (reason)
        throw new BrokerError('BadRequest', `The SQL rule action '${action.sqlExpression}' is not valid: ${reason}. SubCode=40000.`)
    }
    compiled.act = message => applyAction(statements, message, action.sqlParameters)
  }
  return compiled
}

export function defaultRule(now: number): RuleProperties {
  return {name: DEFAULT_RULE_NAME, filter: {kind: 'true'}, createdAt: now}
}

/**
 * What one message becomes in a subscription with these rules: undefined for the plain copy (any
 * matching rule without an action), one action result per matching rule with an action. Empty:
 * no copy. Throws FilterEvaluationError from a filter or action.
 */
export function copiesFor(rules: Iterable<CompiledRule>, message: FilterMessage): Array<ActionResult | undefined> {
  const copies: Array<ActionResult | undefined> = []
  let plain = false
  for (const rule of rules) {
    if (!rule.matches(message)) continue
    if (rule.act) copies.push(rule.act(message))
    else plain = true
  }
  if (plain) copies.unshift(undefined)
  return copies
}
