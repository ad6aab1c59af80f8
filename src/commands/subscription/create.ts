import {Args, Flags} from '../../lib/oclif.js'

import {BaseCommand} from '../../lib/base-command.js'
import {withBackend} from '../../lib/management/backend.js'
import {managementFlags} from '../../lib/management/flags.js'
import {ruleFilterFlags, subscriptionSpecFlags, topicFlag} from '../../lib/management/topics/flags.js'
import {ruleFilterFromFlags, subscriptionSpecFromFlags} from '../../lib/management/topics/spec.js'
import type {SubscriptionInfo} from '../../lib/management/topics/types.js'

export default class SubscriptionCreate extends BaseCommand {
  static override summary = 'Create a subscription on a topic: it gets a copy of every message its rules match.'

  static override description =
    "Without a filter the subscription gets the $Default rule (every message). With --sql, --correlation or --filter it gets one rule named by --rule-name instead. Settings not given keep Azure's defaults."

  static override examples = [
    {
      command: '<%= config.bin %> subscription create resize --topic jobs --correlation subject=resize',
      description: 'Only messages whose subject is "resize"',
    },
    {
      command: '<%= config.bin %> subscription create big --topic jobs --sql "size > 10" --max-delivery-count 5',
      description: 'A SQL filter',
    },
    {command: '<%= config.bin %> subscription create audit --topic jobs --if-not-exists', description: 'Every message, idempotent'},
  ]

  static override args = {name: Args.string({description: 'Subscription name', required: true})}

  static override flags = {
    ...topicFlag,
    ...subscriptionSpecFlags,
    ...ruleFilterFlags,
    'rule-name': Flags.string({description: 'Name of the rule made from --sql/--correlation/--filter', default: '$Default'}),
    'if-not-exists': Flags.boolean({description: 'Succeed without changes if the subscription exists'}),
    ...managementFlags,
  }

  static override enableJsonFlag = true

  async run(): Promise<SubscriptionInfo & {created: boolean}> {
    const {args, flags} = await this.parse(SubscriptionCreate)
    const spec = subscriptionSpecFromFlags(flags)
    const filter = ruleFilterFromFlags(flags)
    if (filter) spec.rule = {name: flags['rule-name'], filter, ...(flags.action ? {action: flags.action} : {})}
    return withBackend(this.settings, flags, async ({topics}) => {
      if (flags['if-not-exists'] && (await topics.subscriptionExists(flags.topic, args.name))) {
        if (!this.jsonEnabled()) this.log(`Subscription ${args.name} of topic ${flags.topic} already exists`)
        return {...(await topics.getSubscription(flags.topic, args.name)), created: false}
      }
      const subscription = await topics.createSubscription(flags.topic, args.name, spec)
      if (!this.jsonEnabled()) this.log(`Created subscription ${subscription.name} on topic ${flags.topic}`)
      return {...subscription, created: true}
    })
  }
}
