import {Args} from '../../lib/oclif.js'

import {BaseCommand} from '../../lib/base-command.js'
import {confirmOrYes, yesFlag} from '../../lib/confirm.js'
import {withBackend} from '../../lib/management/backend.js'
import {managementFlags} from '../../lib/management/flags.js'

export default class TopicDelete extends BaseCommand {
  static override summary = 'Delete a topic with all its subscriptions and their messages.'

  static override description = 'Asks first on a terminal; needs --yes elsewhere.'

  static override examples = [
    {command: '<%= config.bin %> topic delete old-jobs', description: 'Asks, then deletes'},
    {command: '<%= config.bin %> topic delete old-jobs --yes', description: 'In a script'},
  ]

  static override args = {name: Args.string({description: 'Topic name', required: true})}

  static override flags = {...yesFlag, ...managementFlags}

  static override enableJsonFlag = true

  async run(): Promise<{name: string; deleted: boolean}> {
    const {args, flags} = await this.parse(TopicDelete)
    if (!(await confirmOrYes(`Delete topic ${args.name}, its subscriptions and all their messages?`, flags.yes))) {
      this.log('Nothing deleted.')
      return {name: args.name, deleted: false}
    }
    await withBackend(this.settings, flags, ({topics}) => topics.deleteTopic(args.name))
    if (!this.jsonEnabled()) this.log(`Deleted topic ${args.name}`)
    return {name: args.name, deleted: true}
  }
}
