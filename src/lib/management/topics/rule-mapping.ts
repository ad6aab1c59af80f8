// Rules between qjob's shape (RuleSpec) and each API's: the admin client's SqlRuleFilter /
// CorrelationRuleFilter / SqlRuleAction (ATOM) and ARM's Rule resource. True and false filters
// travel as the SQL filters Azure defines them by ("1=1", "1=0").
import type {CorrelationRuleFilter, RuleProperties, SqlRuleAction, SqlRuleFilter} from '@azure/service-bus'
import type {Rule as ArmRule} from '@azure/arm-servicebus'

import type {CorrelationProperties, RuleFilter, RuleSpec} from './types.js'

const TRUE_SQL = '1=1'
const FALSE_SQL = '1=0'

function sqlFilter(expression: string): RuleFilter {
  const compact = expression.replace(/\s+/g, '')
  if (compact === TRUE_SQL) return {kind: 'true'}
  if (compact === FALSE_SQL) return {kind: 'false'}
  return {kind: 'sql', expression}
}

/** Drops the properties a filter does not set, so shapes compare and print cleanly. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== '')) as T
}

export function toAtomFilter(filter: RuleFilter): SqlRuleFilter | CorrelationRuleFilter {
  switch (filter.kind) {
    case 'sql':
      return {sqlExpression: filter.expression}
    case 'true':
      return {sqlExpression: TRUE_SQL}
    case 'false':
      return {sqlExpression: FALSE_SQL}
    case 'correlation':
      return {...filter.properties}
  }
}

export function toAtomAction(action: string | undefined): SqlRuleAction | undefined {
  return action ? {sqlExpression: action} : undefined
}

export function fromAtomRule(rule: RuleProperties): RuleSpec {
  const filter = rule.filter as Partial<SqlRuleFilter> & CorrelationRuleFilter
  const spec: RuleSpec = {
    name: rule.name,
    filter:
      typeof filter.sqlExpression === 'string'
        ? sqlFilter(filter.sqlExpression)
        : {kind: 'correlation', properties: defined({...filter} as CorrelationProperties)},
  }
  if (rule.action?.sqlExpression) spec.action = rule.action.sqlExpression
  return spec
}

export function toArmRule(rule: RuleSpec): ArmRule {
  const armRule: ArmRule = rule.action ? {action: {sqlExpression: rule.action}} : {}
  if (rule.filter.kind === 'correlation') {
    const {subject, applicationProperties, ...rest} = rule.filter.properties
    const properties =
      applicationProperties && Object.fromEntries(Object.entries(applicationProperties).map(([key, value]) => [key, String(value)]))
    return {...armRule, filterType: 'CorrelationFilter', correlationFilter: defined({...rest, label: subject, properties})}
  }
  const expression = rule.filter.kind === 'sql' ? rule.filter.expression : rule.filter.kind === 'true' ? TRUE_SQL : FALSE_SQL
  return {...armRule, filterType: 'SqlFilter', sqlFilter: {sqlExpression: expression}}
}

export function fromArmRule(rule: ArmRule): RuleSpec {
  const spec: RuleSpec = {name: rule.name ?? '', filter: {kind: 'true'}}
  if (rule.filterType === 'CorrelationFilter' && rule.correlationFilter) {
    const {label, properties, requiresPreprocessing: _ignored, ...rest} = rule.correlationFilter
    spec.filter = {
      kind: 'correlation',
      properties: defined({...rest, subject: label, applicationProperties: properties} as CorrelationProperties),
    }
  } else if (rule.sqlFilter?.sqlExpression !== undefined) {
    spec.filter = sqlFilter(rule.sqlFilter.sqlExpression)
  }
  if (rule.action?.sqlExpression) spec.action = rule.action.sqlExpression
  return spec
}
