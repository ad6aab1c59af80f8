import {Args, Flags} from '../../lib/oclif.js'

import {BaseCommand} from '../../lib/base-command.js'
import {confirmOrYes, yesFlag} from '../../lib/confirm.js'
import {managementFlags} from '../../lib/management/flags.js'
import {purgeEntity} from '../../lib/management/purge.js'
import {topicFlag} from '../../lib/management/topics/flags.js'
import {Progress} from '../../lib/output.js'
import {subscriptionPath} from '../../lib/servicebus/entity.js'

export default class SubscriptionPurge extends BaseCommand {
  static override summary = 'Remove every message from a subscription (or its dead-letter queue), keeping its settings and rules.'

  static override description =
    'Messages are removed in batches with progress; the count removed is printed. Asks first on a terminal; needs --yes elsewhere.'

  static override examples = [
    {command: '<%= config.bin %> subscription purge resize --topic jobs --yes', description: 'Empty the subscription'},
    {
      command: '<%= config.bin %> subscription purge resize --topic jobs --dead-letter --yes --json',
      description: 'Empty its dead-letter queue',
    },
  ]

  static override args = {name: Args.string({description: 'Subscription name', required: true})}

  static override flags = {
    ...topicFlag,
    'dead-letter': Flags.boolean({description: 'Purge the dead-letter sub-queue instead'}),
    ...yesFlag,
    ...managementFlags,
  }

  static override enableJsonFlag = true

  async run(): Promise<{topic: string; name: string; deadLetter: boolean; removed: number}> {
    const {args, flags} = await this.parse(SubscriptionPurge)
    const deadLetter = Boolean(flags['dead-letter'])
    const label = `${flags.topic}/${args.name}`
    if (!(await confirmOrYes(`Remove ${deadLetter ? 'the dead letters' : 'every message'} of subscription ${label}?`, flags.yes))) {
      this.log('Nothing removed.')
      return {topic: flags.topic, name: args.name, deadLetter, removed: 0}
    }
    const progress = new Progress(`Purging ${label}${deadLetter ? '/$DeadLetterQueue' : ''}`)
    const removed = await purgeEntity(this.settings, flags, {
      entityPath: subscriptionPath(flags.topic, args.name),
      deadLetter,
      timeoutSeconds: flags.timeout,
      onProgress: count => progress.update(count),
    })
    progress.done()
    if (!this.jsonEnabled())
      this.log(`Removed ${removed} message${removed === 1 ? '' : 's'} from ${label}${deadLetter ? ' (dead-letter queue)' : ''}`)
    return {topic: flags.topic, name: args.name, deadLetter, removed}
  }
}
