import {BaseCommand} from '../../lib/base-command.js'
import {withBackend} from '../../lib/management/backend.js'
import {managementFlags} from '../../lib/management/flags.js'
import {subscriptionFlag, topicFlag} from '../../lib/management/topics/flags.js'
import {ruleColumns} from '../../lib/management/topics/table.js'
import type {RuleInfo} from '../../lib/management/topics/types.js'
import {formatTable} from '../../lib/output.js'

export default class RuleList extends BaseCommand {
  static override summary = 'List the rules of a subscription with their filters and actions.'

  static override examples = [{command: '<%= config.bin %> rule list --topic jobs --subscription resize', description: 'As a table'}]

  static override flags = {...topicFlag, ...subscriptionFlag, ...managementFlags}

  static override enableJsonFlag = true

  async run(): Promise<RuleInfo[]> {
    const {flags} = await this.parse(RuleList)
    const rules = await withBackend(this.settings, flags, ({topics}) => topics.listRules(flags.topic, flags.subscription))
    if (!this.jsonEnabled())
      this.log(rules.length === 0 ? 'No rules: this subscription receives nothing.' : formatTable(rules, ruleColumns))
    return rules
  }
}
