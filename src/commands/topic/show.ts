import {Args} from '../../lib/oclif.js'

import {BaseCommand} from '../../lib/base-command.js'
import {withBackend} from '../../lib/management/backend.js'
import {managementFlags} from '../../lib/management/flags.js'
import {readFanOut} from '../../lib/management/topics/fan-out.js'
import {type FanOut, formatFanOut, topicProperties} from '../../lib/management/topics/table.js'
import {formatProperties} from '../../lib/output.js'

export default class TopicShow extends BaseCommand {
  static override summary = "Show a topic's settings and its fan-out: each subscription with its rules and live counts."

  static override examples = [
    {command: '<%= config.bin %> topic show jobs', description: 'Settings, then the fan-out tree'},
    {
      command: "<%= config.bin %> topic show jobs --json | jq '.subscriptions[] | {name, active: .counts.active}'",
      description: 'Counts per subscription',
    },
  ]

  static override args = {name: Args.string({description: 'Topic name', required: true})}

  static override flags = {...managementFlags}

  static override enableJsonFlag = true

  async run(): Promise<FanOut> {
    const {args, flags} = await this.parse(TopicShow)
    const fanOut = await withBackend(this.settings, flags, ({topics}) => readFanOut(topics, args.name))
    if (!this.jsonEnabled()) this.log(`${formatProperties(topicProperties(fanOut.topic))}\n\n${formatFanOut(fanOut)}`)
    return fanOut
  }
}
