import {Args, Flags} from '../../../lib/oclif.js'

import {BaseCommand} from '../../../lib/base-command.js'
import {withBackend} from '../../../lib/management/backend.js'
import {managementFlags} from '../../../lib/management/flags.js'
import {parseRights} from '../../../lib/management/queue-spec.js'
import {topicFlag} from '../../../lib/management/topics/flags.js'
import type {TopicPolicyInfo} from '../../../lib/management/topics/types.js'

export default class TopicPolicyCreate extends BaseCommand {
  static override summary = 'Create a shared access policy on a topic: Send to publish, Listen to receive from its subscriptions.'

  static override examples = [
    {command: '<%= config.bin %> topic policy create web --topic jobs --rights Send', description: 'A Send-only policy for the web dyno'},
    {
      command: '<%= config.bin %> topic policy create workers --topic jobs --rights Listen',
      description: 'A Listen-only policy for workers of every subscription',
    },
  ]

  static override args = {name: Args.string({description: 'Policy name', required: true})}

  static override flags = {
    ...topicFlag,
    rights: Flags.string({description: 'Comma-separated rights: Listen, Send, Manage', required: true}),
    ...managementFlags,
  }

  static override enableJsonFlag = true

  async run(): Promise<TopicPolicyInfo> {
    const {args, flags} = await this.parse(TopicPolicyCreate)
    const rights = parseRights(flags.rights)
    const policy = await withBackend(this.settings, flags, ({topics}) => topics.createTopicPolicy(flags.topic, args.name, rights))
    if (!this.jsonEnabled()) this.log(`Created policy ${policy.name} on topic ${policy.topic} (${policy.rights.join(', ')})`)
    return policy
  }
}
