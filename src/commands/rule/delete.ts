import {Args} from '../../lib/oclif.js'

import {BaseCommand} from '../../lib/base-command.js'
import {confirmOrYes, yesFlag} from '../../lib/confirm.js'
import {withBackend} from '../../lib/management/backend.js'
import {managementFlags} from '../../lib/management/flags.js'
import {subscriptionFlag, topicFlag} from '../../lib/management/topics/flags.js'

export default class RuleDelete extends BaseCommand {
  static override summary = 'Delete a rule of a subscription; with no rules left it receives nothing.'

  static override description = 'Asks first on a terminal; needs --yes elsewhere.'

  static override examples = [
    {command: "<%= config.bin %> rule delete '$Default' --topic jobs --subscription resize --yes", description: 'Drop the catch-all rule'},
  ]

  static override args = {name: Args.string({description: 'Rule name', required: true})}

  static override flags = {...topicFlag, ...subscriptionFlag, ...yesFlag, ...managementFlags}

  static override enableJsonFlag = true

  async run(): Promise<{topic: string; subscription: string; name: string; deleted: boolean}> {
    const {args, flags} = await this.parse(RuleDelete)
    const result = {topic: flags.topic, subscription: flags.subscription, name: args.name, deleted: false}
    if (!(await confirmOrYes(`Delete rule ${args.name} of ${flags.topic}/${flags.subscription}?`, flags.yes))) {
      this.log('Nothing deleted.')
      return result
    }
    await withBackend(this.settings, flags, ({topics}) => topics.deleteRule(flags.topic, flags.subscription, args.name))
    if (!this.jsonEnabled()) this.log(`Deleted rule ${args.name} of ${flags.topic}/${flags.subscription}`)
    return {...result, deleted: true}
  }
}
