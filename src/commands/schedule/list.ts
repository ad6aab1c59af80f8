import {Flags} from '../../lib/oclif.js'

import {BaseCommand} from '../../lib/base-command.js'
import {messageFormat, writeMessages} from '../../lib/message-output.js'
import {queueContext} from '../../lib/servicebus/command-support.js'
import {withClient} from '../../lib/servicebus/connection.js'
import {connectionFlags, queueFlag} from '../../lib/servicebus/flags.js'
import type {MessageJson} from '../../lib/servicebus/message-json.js'
import {scheduledColumns} from '../../lib/servicebus/message-table.js'
import {listScheduled} from '../../lib/servicebus/schedule.js'

export default class ScheduleList extends BaseCommand {
  static override description = 'List the scheduled messages of a queue, with the time each becomes active.'

  static override examples = [
    {command: '<%= config.bin %> schedule list -q jobs', description: 'Scheduled messages as a table'},
    {command: '<%= config.bin %> schedule list -q jobs --json | jq -r ".[].sequenceNumber"', description: 'Just their sequence numbers'},
  ]

  static override flags = {
    ...queueFlag,
    max: Flags.integer({char: 'n', description: 'At most this many'}),
    ndjson: Flags.boolean({description: 'One JSON object a line, streamed', exclusive: ['json']}),
    ...connectionFlags,
  }

  static override enableJsonFlag = true

  async run(): Promise<MessageJson[]> {
    const {flags} = await this.parse(ScheduleList)
    const context = queueContext(this.settings, flags)
    return withClient(context.target, context, client =>
      writeMessages(
        listScheduled(client, context.queue, flags.max),
        messageFormat({json: this.jsonEnabled(), ndjson: flags.ndjson}),
        scheduledColumns,
        'No scheduled messages.',
      ),
    )
  }
}
