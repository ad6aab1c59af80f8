import {BaseCommand} from '../../lib/base-command.js'
import {confirmOrYes, yesFlag} from '../../lib/confirm.js'
import {Progress} from '../../lib/output.js'
import {queueContext} from '../../lib/servicebus/command-support.js'
import {withClient} from '../../lib/servicebus/connection.js'
import {purgeMessages} from '../../lib/servicebus/dead-letter.js'
import {connectionFlags, receiveEntityFlags} from '../../lib/servicebus/flags.js'

export default class DlqPurge extends BaseCommand {
  static override description = "Delete every message in a queue's dead-letter queue. Asks first on a terminal; needs --yes elsewhere."

  static override examples = [
    {command: '<%= config.bin %> dlq purge -q jobs', description: 'Asks, then deletes the dead letters'},
    {command: '<%= config.bin %> dlq purge -q jobs --yes --json', description: 'In a script'},
  ]

  static override flags = {
    ...receiveEntityFlags,
    ...yesFlag,
    ...connectionFlags,
  }

  static override enableJsonFlag = true

  async run(): Promise<{queue: string; deadLetter: true; removed: number}> {
    const {flags} = await this.parse(DlqPurge)
    const context = queueContext(this.settings, flags)
    if (!(await confirmOrYes(`Delete every dead letter of ${context.queue}?`, flags.yes))) {
      this.log('Nothing deleted.')
      return {queue: context.queue, deadLetter: true, removed: 0}
    }
    const progress = new Progress(`Purging ${context.queue}/$DeadLetterQueue`)
    const removed = await withClient(context.target, context, client =>
      purgeMessages(client, context.queue, {deadLetter: true, onProgress: count => progress.update(count)}),
    )
    progress.done()
    if (!this.jsonEnabled()) this.log(`Removed ${removed} dead letter${removed === 1 ? '' : 's'} from ${context.queue}`)
    return {queue: context.queue, deadLetter: true, removed}
  }
}
