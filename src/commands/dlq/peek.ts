import {Flags} from '../../lib/oclif.js'

import {BaseCommand} from '../../lib/base-command.js'
import {messageFormat, writeMessages} from '../../lib/message-output.js'
import {queueContext} from '../../lib/servicebus/command-support.js'
import {withClient} from '../../lib/servicebus/connection.js'
import {matches} from '../../lib/servicebus/dead-letter.js'
import {connectionFlags, queueFlag} from '../../lib/servicebus/flags.js'
import type {MessageJson} from '../../lib/servicebus/message-json.js'
import {deadLetterColumns} from '../../lib/servicebus/message-table.js'
import {peekAll} from '../../lib/servicebus/peek.js'
import {openReceiver} from '../../lib/servicebus/receivers.js'

export default class DlqPeek extends BaseCommand {
  static override description = `See why messages died: dead letters with their reason, description, delivery count and enqueued time, without removing them.`

  static override examples = [
    {command: '<%= config.bin %> dlq peek -q jobs', description: 'The first 10 dead letters'},
    {command: '<%= config.bin %> dlq peek -q jobs --reason MaxDeliveryCountExceeded --all --json', description: 'Every message that failed too often'},
  ]

  static override flags = {
    ...queueFlag,
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
    const limit = flags.all ? Infinity : flags.max
    return withClient(context.target, context, async client => {
      const receiver = await openReceiver(client, {queue: context.queue, deadLetter: true})
      try {
        const filtered = async function* () {
          let found = 0
          for await (const message of peekAll(receiver, {limit: Infinity, fromSequence: flags['from-sequence']})) {
            if (!matches(message, {reason: flags.reason, limit})) continue
            yield message
            if (++found >= limit) return
          }
        }
        return await writeMessages(filtered(), messageFormat({json: this.jsonEnabled(), ndjson: flags.ndjson}), deadLetterColumns, 'No dead letters.')
      } finally {
        await receiver.close()
      }
    })
  }
}
