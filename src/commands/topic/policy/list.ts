import {BaseCommand} from '../../../lib/base-command.js'
import {withBackend} from '../../../lib/management/backend.js'
import {managementFlags} from '../../../lib/management/flags.js'
import {topicFlag} from '../../../lib/management/topics/flags.js'
import {topicPolicyColumns} from '../../../lib/management/topics/table.js'
import type {TopicPolicyInfo} from '../../../lib/management/topics/types.js'
import {formatTable} from '../../../lib/output.js'

export default class TopicPolicyList extends BaseCommand {
  static override summary = 'List the shared access policies of a topic (names and rights; never keys).'

  static override examples = [{command: '<%= config.bin %> topic policy list --topic jobs', description: 'Names and rights'}]

  static override flags = {...topicFlag, ...managementFlags}

  static override enableJsonFlag = true

  async run(): Promise<TopicPolicyInfo[]> {
    const {flags} = await this.parse(TopicPolicyList)
    const policies = await withBackend(this.settings, flags, ({topics}) => topics.listTopicPolicies(flags.topic))
    if (!this.jsonEnabled())
      this.log(policies.length === 0 ? `Topic ${flags.topic} has no policies of its own.` : formatTable(policies, topicPolicyColumns))
    return policies
  }
}
