import {Args} from '../../lib/oclif.js'

import {BaseCommand} from '../../lib/base-command.js'
import {withBackend} from '../../lib/management/backend.js'
import {managementFlags} from '../../lib/management/flags.js'
import {topicFlag} from '../../lib/management/topics/flags.js'
import {describeFilter, subscriptionProperties} from '../../lib/management/topics/table.js'
import type {RuleInfo, SubscriptionInfo} from '../../lib/management/topics/types.js'
import {formatProperties} from '../../lib/output.js'

export default class SubscriptionShow extends BaseCommand {
  static override summary = 'Show every setting of a subscription, its rules and its live message counts.'

  static override examples = [
    {command: '<%= config.bin %> subscription show resize --topic jobs', description: 'Settings, counts and rules'},
    {command: '<%= config.bin %> subscription show resize --topic jobs --json | jq .counts.active', description: 'Just the active count'},
  ]

  static override args = {name: Args.string({description: 'Subscription name', required: true})}

  static override flags = {...topicFlag, ...managementFlags}

  static override enableJsonFlag = true

  async run(): Promise<SubscriptionInfo & {rules: RuleInfo[]}> {
    const {args, flags} = await this.parse(SubscriptionShow)
    const shown = await withBackend(this.settings, flags, async ({topics}) => ({
      ...(await topics.getSubscription(flags.topic, args.name)),
      rules: await topics.listRules(flags.topic, args.name),
    }))
    if (!this.jsonEnabled()) {
      const rules = shown.rules.map((rule): [string, unknown] => [
        `rule ${rule.name}`,
        describeFilter(rule.filter) + (rule.action ? `; action: ${rule.action}` : ''),
      ])
      this.log(formatProperties([...subscriptionProperties(shown), ...rules]))
    }
    return shown
  }
}
