import {Args} from '../../lib/oclif.js'

import {BaseCommand} from '../../lib/base-command.js'
import {UsageError} from '../../common/errors.js'
import {withBackend} from '../../lib/management/backend.js'
import {managementFlags, queueSpecFlags} from '../../lib/management/flags.js'
import {queueSpecFromFlags} from '../../lib/management/queue-spec.js'
import type {QueueInfo} from '../../lib/management/types.js'

export default class QueueUpdate extends BaseCommand {
  static override description = `Change a queue's settings. Only the settings given change.

Sessions, duplicate detection and partitioning cannot be turned on after creation (Azure's rule); the duplicate detection window of a queue that has it can change. --status SendDisabled or ReceiveDisabled stops sends or receives (Disabled: both) until --status Active.`

  static override examples = [
    {command: '<%= config.bin %> queue update jobs --lock-duration 5m', description: 'Longer locks for slow jobs'},
    {
      command: '<%= config.bin %> queue update jobs --max-delivery-count 3 --no-dead-letter-on-expiration --json',
      description: 'Several settings, result as JSON',
    },
    {
      command: '<%= config.bin %> queue update jobs --status ReceiveDisabled',
      description: 'Hold the backlog: sends go on, workers get nothing',
    },
    {
      command: '<%= config.bin %> queue update scratch --auto-delete-on-idle 1h',
      description: 'Delete the queue once nobody used it for an hour',
    },
  ]

  static override args = {name: Args.string({description: 'Queue name', required: true})}

  static override flags = {...queueSpecFlags, ...managementFlags}

  static override enableJsonFlag = true

  async run(): Promise<QueueInfo> {
    const {args, flags} = await this.parse(QueueUpdate)
    const spec = queueSpecFromFlags(flags)
    if (Object.keys(spec).length === 0)
      throw new UsageError('nothing to change', {hint: 'Give at least one setting, e.g. --lock-duration 2m.'})
    const queue = await withBackend(this.settings, flags, backend => backend.updateQueue(args.name, spec))
    if (!this.jsonEnabled()) this.log(`Updated queue ${queue.name}`)
    return queue
  }
}
