import {Args, Flags} from '../../lib/oclif.js'

import {BaseCommand} from '../../lib/base-command.js'
import {confirmOrYes, yesFlag} from '../../lib/confirm.js'
import {managementFlags} from '../../lib/management/flags.js'
import {purgeEntity} from '../../lib/management/purge.js'
import {Progress} from '../../lib/output.js'

export default class QueuePurge extends BaseCommand {
  static override description = `Remove every message from a queue (or its dead-letter queue), keeping the queue and its settings.

Messages are removed in batches with progress; the count removed is printed. Asks first on a terminal; needs --yes elsewhere.`

  static override examples = [
    {command: '<%= config.bin %> queue purge jobs --yes', description: 'Empty the queue'},
    {command: '<%= config.bin %> queue purge jobs --dead-letter --yes --json', description: 'Empty its dead-letter queue'},
  ]

  static override args = {name: Args.string({description: 'Queue name', required: true})}

  static override flags = {
    'dead-letter': Flags.boolean({description: 'Purge the dead-letter sub-queue instead'}),
    ...yesFlag,
    ...managementFlags,
  }

  static override enableJsonFlag = true

  async run(): Promise<{queue: string; deadLetter: boolean; removed: number}> {
    const {args, flags} = await this.parse(QueuePurge)
    const deadLetter = Boolean(flags['dead-letter'])
    const what = deadLetter ? `the dead letters of ${args.name}` : `every message in ${args.name}`
    if (!(await confirmOrYes(`Remove ${what}?`, flags.yes))) {
      this.log('Nothing removed.')
      return {queue: args.name, deadLetter, removed: 0}
    }
    const progress = new Progress(`Purging ${args.name}${deadLetter ? '/$DeadLetterQueue' : ''}`)
    const removed = await purgeEntity(this.settings, flags, {
      entityPath: args.name,
      deadLetter,
      timeoutSeconds: flags.timeout,
      onProgress: count => progress.update(count),
    })
    progress.done()
    if (!this.jsonEnabled())
      this.log(`Removed ${removed} message${removed === 1 ? '' : 's'} from ${args.name}${deadLetter ? ' (dead-letter queue)' : ''}`)
    return {queue: args.name, deadLetter, removed}
  }
}
