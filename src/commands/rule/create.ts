import {Args} from '../../lib/oclif.js'

import {BaseCommand} from '../../lib/base-command.js'
import {withBackend} from '../../lib/management/backend.js'
import {managementFlags} from '../../lib/management/flags.js'
import {ruleFilterFlags, subscriptionFlag, topicFlag} from '../../lib/management/topics/flags.js'
import {ruleSpecFromFlags} from '../../lib/management/topics/spec.js'
import type {RuleInfo} from '../../lib/management/topics/types.js'
import {describeFilter} from '../../lib/management/topics/table.js'

export default class RuleCreate extends BaseCommand {
  static override summary = 'Add a rule to a subscription: a SQL or correlation filter, and optionally an action.'

  static override description =
    'A subscription gets one copy of a message for each rule that matches it. Replace the $Default rule (every message) by creating yours and then deleting $Default. SQL uses the Service Bus filter syntax: sys.label, user properties, AND/OR/NOT, LIKE, IN, IS NULL, EXISTS.'

  static override examples = [
    {
      command: '<%= config.bin %> rule create big-resizes --topic jobs --subscription resize --sql "type = \'resize\' AND size > 10"',
      description: 'A SQL filter',
    },
    {
      command: '<%= config.bin %> rule create acme --topic jobs --subscription resize --correlation subject=resize -c tenant=acme',
      description: 'A correlation filter: all must match',
    },
    {
      command: '<%= config.bin %> rule create tag --topic jobs --subscription audit --filter true --action "SET sys.label = \'audited\'"',
      description: 'Every message, relabelled in this subscription',
    },
  ]

  static override args = {name: Args.string({description: 'Rule name', required: true})}

  static override flags = {...topicFlag, ...subscriptionFlag, ...ruleFilterFlags, ...managementFlags}

  static override enableJsonFlag = true

  async run(): Promise<RuleInfo> {
    const {args, flags} = await this.parse(RuleCreate)
    const spec = ruleSpecFromFlags(args.name, flags)
    const rule = await withBackend(this.settings, flags, ({topics}) => topics.createRule(flags.topic, flags.subscription, spec))
    if (!this.jsonEnabled()) this.log(`Created rule ${rule.name} on ${flags.topic}/${flags.subscription}: ${describeFilter(rule.filter)}`)
    return rule
  }
}
