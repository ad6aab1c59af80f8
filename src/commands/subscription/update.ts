import {Args} from '../../lib/oclif.js'

import {BaseCommand} from '../../lib/base-command.js'
import {UsageError} from '../../common/errors.js'
import {withBackend} from '../../lib/management/backend.js'
import {managementFlags} from '../../lib/management/flags.js'
import {subscriptionSpecFlags, topicFlag} from '../../lib/management/topics/flags.js'
import {subscriptionSpecFromFlags} from '../../lib/management/topics/spec.js'
import type {SubscriptionInfo} from '../../lib/management/topics/types.js'

export default class SubscriptionUpdate extends BaseCommand {
  static override summary = 'Change the settings of a subscription.'

  static override description =
    'Only the settings given change. Sessions are fixed at creation. Rules are changed with qjob rule create/delete.'

  static override examples = [
    {command: '<%= config.bin %> subscription update resize --topic jobs --max-delivery-count 3', description: 'Dead-letter sooner'},
    {command: '<%= config.bin %> subscription update resize --topic jobs --forward-to ""', description: 'Stop forwarding'},
  ]

  static override args = {name: Args.string({description: 'Subscription name', required: true})}

  static override flags = {...topicFlag, ...subscriptionSpecFlags, ...managementFlags}

  static override enableJsonFlag = true

  async run(): Promise<SubscriptionInfo> {
    const {args, flags} = await this.parse(SubscriptionUpdate)
    const spec = subscriptionSpecFromFlags(flags)
    if (Object.keys(spec).length === 0)
      throw new UsageError('nothing to change', {hint: 'Give at least one setting, e.g. --max-delivery-count 5 (see --help).'})
    const subscription = await withBackend(this.settings, flags, ({topics}) => topics.updateSubscription(flags.topic, args.name, spec))
    if (!this.jsonEnabled()) this.log(`Updated subscription ${subscription.name} of topic ${flags.topic}`)
    return subscription
  }
}
