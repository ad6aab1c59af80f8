import {Args} from '../../lib/oclif.js'

import {BaseCommand} from '../../lib/base-command.js'
import {confirmOrYes, yesFlag} from '../../lib/confirm.js'
import {withBackend} from '../../lib/management/backend.js'
import {managementFlags} from '../../lib/management/flags.js'

export default class QueueDelete extends BaseCommand {
  static override description = 'Delete a queue and every message in it. Asks first on a terminal; needs --yes elsewhere.'

  static override examples = [
    {command: '<%= config.bin %> queue delete old-jobs', description: 'Asks, then deletes'},
    {command: '<%= config.bin %> queue delete old-jobs --yes', description: 'In a script'},
  ]

  static override args = {name: Args.string({description: 'Queue name', required: true})}

  static override flags = {
    ...yesFlag,
    ...managementFlags,
  }

  static override enableJsonFlag = true

  async run(): Promise<{name: string; deleted: boolean}> {
    const {args, flags} = await this.parse(QueueDelete)
    if (!(await confirmOrYes(`Delete queue ${args.name} and all its messages?`, flags.yes))) {
      this.log('Nothing deleted.')
      return {name: args.name, deleted: false}
    }
    await withBackend(this.settings, flags, backend => backend.deleteQueue(args.name))
    if (!this.jsonEnabled()) this.log(`Deleted queue ${args.name}`)
    return {name: args.name, deleted: true}
  }
}
