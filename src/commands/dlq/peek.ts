import {Flags} from '../../lib/oclif.js'

import {BaseCommand} from '../../lib/base-command.js'
import {queueContext} from '../../lib/servicebus/command-support.js'
import {connectionFlags, receiveEntityFlags} from '../../lib/servicebus/flags.js'
import type {MessageJson} from '../../lib/servicebus/message-json.js'
import {peekMessages} from '../../lib/servicebus/peek-messages.js'

export default class DlqPeek extends BaseCommand {
  static override description = `See why messages died: dead letters with their reason, description, delivery count and enqueued time, without removing them.`

  static override examples = [
    {command: '<%= config.bin %> dlq peek -q jobs', description: 'The first 10 dead letters'},
    {
      command: '<%= config.bin %> dlq peek -q jobs --reason MaxDeliveryCountExceeded --all --json',
      description: 'Every message that failed too often',
    },
  ]

  static override flags = {
    ...receiveEntityFlags,
    max: Flags.integer({char: 'n', description: 'How many dead letters (after --reason filtering)', default: 10, min: 1}),
    all: Flags.boolean({description: 'Every dead letter', exclusive: ['max']}),
    reason: Flags.string({description: 'Only dead letters with this reason'}),
    'from-sequence': Flags.integer({description: 'Start at this sequence number', min: 1}),
    ndjson: Flags.boolean({description: 'One JSON object a line, streamed', exclusive: ['json']}),
    ...connectionFlags,
  }

  static override enableJsonFlag = true

  async run(): Promise<MessageJson[]> {
    const {flags} = await this.parse(DlqPeek)
    const context = queueContext(this.settings, flags)
    return peekMessages(
      context,
      {
        deadLetter: true,
        deadLetterView: true,
        limit: flags.all ? Infinity : flags.max,
        fromSequence: flags['from-sequence'],
        reason: flags.reason,
      },
      {json: this.jsonEnabled(), ndjson: flags.ndjson},
    )
  }
}
