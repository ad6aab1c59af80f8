import {Flags} from '../../lib/oclif.js'

import {BaseCommand} from '../../lib/base-command.js'
import {withBackend} from '../../lib/management/backend.js'
import {managementFlags} from '../../lib/management/flags.js'
import {topicFlag} from '../../lib/management/topics/flags.js'

export default class TopicConnectionString extends BaseCommand {
  static override summary = "Print the connection string of a topic's policy."

  static override description =
    "This prints a secret, because you asked for it: store it in your app's config rather than in logs. A Send policy lets a web dyno publish; a Listen policy lets workers receive from every subscription of the topic."

  static override examples = [
    {
      command: '<%= config.bin %> topic connection-string --topic jobs --policy web',
      description: "The web dyno's Send-only connection string",
    },
  ]

  static override flags = {
    ...topicFlag,
    policy: Flags.string({description: 'Policy name', required: true}),
    ...managementFlags,
  }

  static override enableJsonFlag = true

  async run(): Promise<{topic: string; policy: string; connectionString: string}> {
    const {flags} = await this.parse(TopicConnectionString)
    const connectionString = await withBackend(this.settings, flags, ({topics}) =>
      topics.topicPolicyConnectionString(flags.topic, flags.policy),
    )
    // Printed on request; written directly so that no redaction hides what was asked for.
    if (!this.jsonEnabled()) process.stdout.write(`${connectionString}\n`)
    return {topic: flags.topic, policy: flags.policy, connectionString}
  }
}
