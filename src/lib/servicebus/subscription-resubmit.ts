// Resubmitting a subscription's dead letters to that subscription only. Azure has no way to send
// to one subscription: a message goes to the topic, and every rule of every subscription that
// matches it makes a copy. So each resubmitted copy carries `qjob_resubmit_to = <subscription>`,
// the subscription gets a rule `qjob-resubmit` that takes exactly those, and every other rule on
// the topic must leave them out (`... AND qjob_resubmit_to IS NULL`). Before anything moves, qjob
// checks that: if a rule would also take the copies, nothing is resubmitted and the error names
// the rule with the filter that fixes it.
import {OperationError} from '../../common/errors.js'
import type {CorrelationProperties, RuleInfo, RuleSpec, TopicManagement} from '../management/topics/types.js'

export const RESUBMIT_PROPERTY = 'qjob_resubmit_to'
export const RESUBMIT_RULE = 'qjob-resubmit'

export function resubmitRule(subscription: string): RuleSpec {
  return {name: RESUBMIT_RULE, filter: {kind: 'correlation', properties: {applicationProperties: {[RESUBMIT_PROPERTY]: subscription}}}}
}

const EXCLUSION = new RegExp(
  `^\\s*(?:\\((.*)\\)\\s+AND\\s+)?(?:${RESUBMIT_PROPERTY}\\s+IS\\s+NULL|NOT\\s+EXISTS\\s*\\(\\s*${RESUBMIT_PROPERTY}\\s*\\))\\s*$`,
  'is',
)

/** True when the parentheses of `text` balance (so "(a) OR (b)" is not read as one group). */
function balanced(text: string): boolean {
  let depth = 0
  for (const char of text.replace(/'(?:[^']|'')*'/g, '')) {
    if (char === '(') depth++
    if (char === ')' && --depth < 0) return false
  }
  return depth === 0
}

/** Whether a rule would copy a message resubmitted to `target` (conservative: unsure means yes). */
export function takesResubmitsFor(rule: RuleInfo, target: string): boolean {
  switch (rule.filter.kind) {
    case 'false':
      return false
    case 'true':
      return true
    case 'correlation': {
      const wanted = rule.filter.properties.applicationProperties?.[RESUBMIT_PROPERTY]
      return wanted === undefined || wanted === target
    }
    case 'sql': {
      const match = EXCLUSION.exec(rule.filter.expression)
      return !(match && (match[1] === undefined || balanced(match[1])))
    }
  }
}

function sqlLiteral(value: string | number | boolean): string {
  return typeof value === 'string' ? `'${value.replaceAll("'", "''")}'` : String(value)
}

const SYSTEM_SQL: Record<string, string> = {
  correlationId: 'sys.CorrelationId',
  messageId: 'sys.MessageId',
  to: 'sys.To',
  replyTo: 'sys.ReplyTo',
  subject: 'sys.Label',
  sessionId: 'sys.SessionId',
  replyToSessionId: 'sys.ReplyToSessionId',
  contentType: 'sys.ContentType',
}

function correlationSql(properties: CorrelationProperties): string {
  const {applicationProperties, ...system} = properties
  const terms = [
    ...Object.entries(system).map(([key, value]) => `${SYSTEM_SQL[key]} = ${sqlLiteral(value as string)}`),
    ...Object.entries(applicationProperties ?? {}).map(([key, value]) => `[${key}] = ${sqlLiteral(value)}`),
  ]
  return terms.join(' AND ') || '1=1'
}

/** The SQL filter that keeps what `rule` matches and leaves resubmitted copies out. */
export function excludingResubmits(rule: RuleInfo): string {
  const kept =
    rule.filter.kind === 'sql' ? rule.filter.expression : rule.filter.kind === 'correlation' ? correlationSql(rule.filter.properties) : ''
  return kept ? `(${kept}) AND ${RESUBMIT_PROPERTY} IS NULL` : `${RESUBMIT_PROPERTY} IS NULL`
}

/**
 * Makes sure copies sent to the topic reach `subscription` once and no other subscription:
 * creates its `qjob-resubmit` rule if missing, and refuses if any other rule would take them.
 */
export async function prepareSubscriptionResubmit(topics: TopicManagement, topic: string, subscription: string): Promise<void> {
  await topics.getSubscription(topic, subscription)
  const subscriptions: string[] = []
  for await (const listed of topics.listSubscriptions(topic)) subscriptions.push(listed.name)
  const rules = (await Promise.all(subscriptions.map(name => topics.listRules(topic, name)))).flat()
  const isTargetRule = (rule: RuleInfo) => rule.subscription === subscription && rule.name === RESUBMIT_RULE
  const blockers = rules.filter(rule => !isTargetRule(rule) && takesResubmitsFor(rule, subscription))
  if (blockers.length > 0) {
    const fixes = blockers.map(
      rule =>
        `  ${rule.subscription}/${rule.name}: qjob rule create ${rule.name}-x --topic ${topic} --subscription ${rule.subscription} --sql "${excludingResubmits(rule)}"${rule.action ? ` --action "${rule.action}"` : ''}, then delete ${rule.name}`,
    )
    throw new OperationError(
      `resubmitted copies would also reach ${blockers.map(rule => `${rule.subscription}/${rule.name}`).join(', ')}: nothing was resubmitted`,
      {
        hint: `Service Bus sends a resubmitted message to the topic, where every matching rule copies it. Make these rules leave copies out (see README "Topics"):\n${fixes.join('\n')}`,
      },
    )
  }
  if (!rules.some(isTargetRule)) await topics.createRule(topic, subscription, resubmitRule(subscription))
}
