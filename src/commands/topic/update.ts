import {Args} from '../../lib/oclif.js'

import {BaseCommand} from '../../lib/base-command.js'
import {UsageError} from '../../common/errors.js'
import {withBackend} from '../../lib/management/backend.js'
import {managementFlags} from '../../lib/management/flags.js'
import {topicSpecFlags} from '../../lib/management/topics/flags.js'
import {topicSpecFromFlags} from '../../lib/management/topics/spec.js'
import type {TopicInfo} from '../../lib/management/topics/types.js'

export default class TopicUpdate extends BaseCommand {
  static override summary = 'Change the settings of a topic.'

  static override description =
    'Only the settings given change. Partitioning is fixed at creation, and duplicate detection cannot be turned on later (its window can change).'

  static override examples = [
    {command: '<%= config.bin %> topic update jobs --default-ttl 2d', description: 'A longer time to live'},
    {command: '<%= config.bin %> topic update jobs --status SendDisabled', description: 'Stop accepting new messages'},
  ]

  static override args = {name: Args.string({description: 'Topic name', required: true})}

  static override flags = {...topicSpecFlags, ...managementFlags}

  static override enableJsonFlag = true

  async run(): Promise<TopicInfo> {
    const {args, flags} = await this.parse(TopicUpdate)
    const spec = topicSpecFromFlags(flags)
    if (Object.keys(spec).length === 0)
      throw new UsageError('nothing to change', {hint: 'Give at least one setting, e.g. --default-ttl 1d (see --help).'})
    const topic = await withBackend(this.settings, flags, ({topics}) => topics.updateTopic(args.name, spec))
    if (!this.jsonEnabled()) this.log(`Updated topic ${topic.name}`)
    return topic
  }
}
