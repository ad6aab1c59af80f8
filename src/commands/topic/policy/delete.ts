import {Args} from '../../../lib/oclif.js'

import {BaseCommand} from '../../../lib/base-command.js'
import {confirmOrYes, yesFlag} from '../../../lib/confirm.js'
import {withBackend} from '../../../lib/management/backend.js'
import {managementFlags} from '../../../lib/management/flags.js'
import {topicFlag} from '../../../lib/management/topics/flags.js'

export default class TopicPolicyDelete extends BaseCommand {
  static override summary = "Delete a topic's shared access policy; clients using its key lose access."

  static override description = 'Asks first on a terminal; needs --yes elsewhere.'

  static override examples = [{command: '<%= config.bin %> topic policy delete web --topic jobs --yes', description: 'In a script'}]

  static override args = {name: Args.string({description: 'Policy name', required: true})}

  static override flags = {...topicFlag, ...yesFlag, ...managementFlags}

  static override enableJsonFlag = true

  async run(): Promise<{topic: string; name: string; deleted: boolean}> {
    const {args, flags} = await this.parse(TopicPolicyDelete)
    if (!(await confirmOrYes(`Delete policy ${args.name} of topic ${flags.topic}? Clients using its key lose access.`, flags.yes))) {
      this.log('Nothing deleted.')
      return {topic: flags.topic, name: args.name, deleted: false}
    }
    await withBackend(this.settings, flags, ({topics}) => topics.deleteTopicPolicy(flags.topic, args.name))
    if (!this.jsonEnabled()) this.log(`Deleted policy ${args.name} of topic ${flags.topic}`)
    return {topic: flags.topic, name: args.name, deleted: true}
  }
}
