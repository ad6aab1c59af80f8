import {Args} from '../../lib/oclif.js'

import {BaseCommand} from '../../lib/base-command.js'
import {queueContext} from '../../lib/servicebus/command-support.js'
import {withClient} from '../../lib/servicebus/connection.js'
import {connectionFlags, sendEntityFlags} from '../../lib/servicebus/flags.js'
import {cancelScheduled, parseSequenceNumbers} from '../../lib/servicebus/schedule.js'

export default class ScheduleCancel extends BaseCommand {
  static override description = 'Cancel scheduled messages by sequence number (as printed by "qjob schedule").'

  static override examples = [
    {command: '<%= config.bin %> schedule cancel -q jobs 17 18', description: 'Cancel two scheduled messages'},
    {
      command:
        '<%= config.bin %> schedule list -q jobs --json | jq -r ".[].sequenceNumber" | xargs <%= config.bin %> schedule cancel -q jobs',
      description: 'Cancel everything scheduled',
    },
  ]

  static override strict = false

  static override args = {
    sequence: Args.string({description: 'Sequence numbers to cancel', required: true}),
  }

  static override flags = {
    ...sendEntityFlags,
    ...connectionFlags,
  }

  static override enableJsonFlag = true

  async run(): Promise<{queue: string; cancelled: string[]}> {
    const {argv, flags} = await this.parse(ScheduleCancel)
    const sequenceNumbers = parseSequenceNumbers(argv as string[])
    const context = queueContext(this.settings, flags, 'send')
    await withClient(context.target, context, client => cancelScheduled(client, context.queue, sequenceNumbers))
    if (!this.jsonEnabled())
      this.log(`Cancelled ${sequenceNumbers.length} scheduled message${sequenceNumbers.length === 1 ? '' : 's'} on ${context.queue}`)
    return {queue: context.queue, cancelled: sequenceNumbers}
  }
}
