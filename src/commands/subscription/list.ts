import {BaseCommand} from '../../lib/base-command.js'
import {withBackend} from '../../lib/management/backend.js'
import {managementFlags} from '../../lib/management/flags.js'
import {topicFlag} from '../../lib/management/topics/flags.js'
import {subscriptionColumns} from '../../lib/management/topics/table.js'
import type {SubscriptionInfo} from '../../lib/management/topics/types.js'
import {formatTable} from '../../lib/output.js'

export default class SubscriptionList extends BaseCommand {
  static override summary = 'List the subscriptions of a topic with their live message counts.'

  static override examples = [
    {command: '<%= config.bin %> subscription list --topic jobs', description: 'As a table'},
    {
      command: "<%= config.bin %> subscription list --topic jobs --json | jq -r '.[] | select(.counts.deadLetter > 0) | .name'",
      description: 'Subscriptions with dead letters',
    },
  ]

  static override flags = {...topicFlag, ...managementFlags}

  static override enableJsonFlag = true

  async run(): Promise<SubscriptionInfo[]> {
    const {flags} = await this.parse(SubscriptionList)
    const all = await withBackend(this.settings, flags, async ({topics}) => {
      const listed: SubscriptionInfo[] = []
      for await (const subscription of topics.listSubscriptions(flags.topic)) listed.push(subscription)
      return listed
    })
    if (!this.jsonEnabled())
      this.log(all.length === 0 ? `Topic ${flags.topic} has no subscriptions.` : formatTable(all, subscriptionColumns))
    return all
  }
}
