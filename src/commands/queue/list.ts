import {rememberQueueNames} from '../../lib/completion-cache.js'
import {BaseCommand} from '../../lib/base-command.js'
import {withBackend} from '../../lib/management/backend.js'
import {managementFlags} from '../../lib/management/flags.js'
import {queueColumns} from '../../lib/management/queue-table.js'
import type {QueueInfo} from '../../lib/management/types.js'
import {formatTable} from '../../lib/output.js'

export default class QueueList extends BaseCommand {
  static override description = 'List queues with their status and live message counts (active, dead-letter, scheduled).'

  static override examples = [
    {command: '<%= config.bin %> queue list', description: 'All queues as a table'},
    {
      command: "<%= config.bin %> queue list --json | jq -r '.[] | select(.counts.deadLetter > 0) | .name'",
      description: 'Queues that have dead letters',
    },
  ]

  static override flags = {...managementFlags}

  static override enableJsonFlag = true

  async run(): Promise<QueueInfo[]> {
    const {flags} = await this.parse(QueueList)
    const queues = await withBackend(this.settings, flags, async backend => {
      const all: QueueInfo[] = []
      for await (const queue of backend.listQueues()) all.push(queue)
      return all
    })
    rememberQueueNames(
      this.config.cacheDir,
      queues.map(queue => queue.name),
    )
    if (!this.jsonEnabled()) this.log(queues.length === 0 ? 'No queues.' : formatTable(queues, queueColumns))
    return queues
  }
}
