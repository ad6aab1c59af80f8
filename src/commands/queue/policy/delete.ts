import {Args, Flags} from '../../../lib/oclif.js'

import {BaseCommand} from '../../../lib/base-command.js'
import {confirmOrYes, yesFlag} from '../../../lib/confirm.js'
import {withBackend} from '../../../lib/management/backend.js'
import {managementFlags} from '../../../lib/management/flags.js'

export default class QueuePolicyDelete extends BaseCommand {
  static override description = "Delete a queue's shared access policy; clients using its key lose access. Asks first on a terminal."

  static override examples = [
    {command: '<%= config.bin %> queue policy delete workers --queue jobs --yes', description: 'Revoke the workers key'},
  ]

  static override args = {name: Args.string({description: 'Policy name', required: true})}

  static override flags = {
    queue: Flags.string({char: 'q', description: 'Queue name', required: true}),
    ...yesFlag,
    ...managementFlags,
  }

  static override enableJsonFlag = true

  async run(): Promise<{name: string; queue: string; deleted: boolean}> {
    const {args, flags} = await this.parse(QueuePolicyDelete)
    if (!(await confirmOrYes(`Delete policy ${args.name} of ${flags.queue}?`, flags.yes))) {
      this.log('Nothing deleted.')
      return {name: args.name, queue: flags.queue, deleted: false}
    }
    await withBackend(this.settings, flags, backend => backend.deletePolicy(flags.queue, args.name))
    if (!this.jsonEnabled()) this.log(`Deleted policy ${args.name} of ${flags.queue}`)
    return {name: args.name, queue: flags.queue, deleted: true}
  }
}
