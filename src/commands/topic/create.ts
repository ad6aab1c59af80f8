import {Args, Flags} from '../../lib/oclif.js'

import {BaseCommand} from '../../lib/base-command.js'
import {withBackend} from '../../lib/management/backend.js'
import {managementFlags} from '../../lib/management/flags.js'
import {topicSpecFlags} from '../../lib/management/topics/flags.js'
import {topicSpecFromFlags} from '../../lib/management/topics/spec.js'
import type {TopicInfo} from '../../lib/management/topics/types.js'

export default class TopicCreate extends BaseCommand {
  static override summary = 'Create a topic, to fan messages out to its subscriptions.'

  static override description =
    "Settings not given keep Azure's defaults; values are checked before anything is sent. A topic delivers nothing by itself: create a subscription for each kind of worker (qjob subscription create). --if-not-exists makes the command succeed when the topic is already there."

  static override examples = [
    {command: '<%= config.bin %> topic create jobs', description: 'A topic with the default settings'},
    {
      command: '<%= config.bin %> topic create jobs --default-ttl 1d --duplicate-detection-window 10m --if-not-exists',
      description: 'Deduplicated, idempotent',
    },
  ]

  static override args = {name: Args.string({description: 'Topic name', required: true})}

  static override flags = {
    ...topicSpecFlags,
    'if-not-exists': Flags.boolean({description: 'Succeed without changes if the topic exists'}),
    ...managementFlags,
  }

  static override enableJsonFlag = true

  async run(): Promise<TopicInfo & {created: boolean}> {
    const {args, flags} = await this.parse(TopicCreate)
    const spec = topicSpecFromFlags(flags)
    return withBackend(this.settings, flags, async ({topics}) => {
      if (flags['if-not-exists'] && (await topics.topicExists(args.name))) {
        if (!this.jsonEnabled()) this.log(`Topic ${args.name} already exists`)
        return {...(await topics.getTopic(args.name)), created: false}
      }
      const topic = await topics.createTopic(args.name, spec)
      if (!this.jsonEnabled()) this.log(`Created topic ${topic.name}`)
      return {...topic, created: true}
    })
  }
}
