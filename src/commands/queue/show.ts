import {Args} from '../../lib/oclif.js'

import {BaseCommand} from '../../lib/base-command.js'
import {withBackend} from '../../lib/management/backend.js'
import {managementFlags} from '../../lib/management/flags.js'
import {queueProperties} from '../../lib/management/queue-table.js'
import type {QueueInfo} from '../../lib/management/types.js'
import {formatProperties} from '../../lib/output.js'

export default class QueueShow extends BaseCommand {
  static override description = 'Show every setting of a queue and its live message counts.'

  static override examples = [
    {command: '<%= config.bin %> queue show jobs', description: 'Settings and counts'},
    {command: '<%= config.bin %> queue show jobs --json | jq .counts.active', description: 'Just the active count'},
  ]

  static override args = {name: Args.string({description: 'Queue name', required: true})}

  static override flags = {...managementFlags}

  static override enableJsonFlag = true

  async run(): Promise<QueueInfo> {
    const {args, flags} = await this.parse(QueueShow)
    const queue = await withBackend(this.settings, flags, backend => backend.getQueue(args.name))
    if (!this.jsonEnabled()) this.log(formatProperties(queueProperties(queue)))
    return queue
  }
}
