import {Flags} from '../lib/oclif.js'

import {BaseCommand} from '../lib/base-command.js'
import {queueContext} from '../lib/servicebus/command-support.js'
import {connectionFlags, receiveEntityFlags} from '../lib/servicebus/flags.js'
import type {MessageJson} from '../lib/servicebus/message-json.js'
import {peekMessages} from '../lib/servicebus/peek-messages.js'

export default class Peek extends BaseCommand {
  static override description = `Look at messages without receiving them.

Peek never locks or removes anything. It shows active, scheduled and deferred messages in sequence order. --all pages through the whole queue with constant memory (use --ndjson for big queues). What "peek --ndjson" prints, "send --ndjson" sends again.`

  static override examples = [
    {command: '<%= config.bin %> peek -q jobs', description: 'The first 10 messages as a table'},
    {
      command: '<%= config.bin %> peek -q jobs -n 50 --from-sequence 1200 --json',
      description: '50 messages from sequence number 1200, as JSON',
    },
    {command: '<%= config.bin %> peek -q jobs --all --ndjson > jobs.ndjson', description: 'Back up every message, one JSON object a line'},
    {command: '<%= config.bin %> peek -q jobs --dead-letter', description: 'Peek the dead-letter queue'},
  ]

  static override flags = {
    ...receiveEntityFlags,
    max: Flags.integer({char: 'n', description: 'How many messages', default: 10, min: 1}),
    'from-sequence': Flags.integer({description: 'Start at this sequence number', min: 1}),
    all: Flags.boolean({description: 'Every message in the queue', exclusive: ['max']}),
    'dead-letter': Flags.boolean({description: 'Peek the dead-letter sub-queue'}),
    ndjson: Flags.boolean({description: 'One JSON object a line, streamed', exclusive: ['json']}),
    ...connectionFlags,
  }

  static override enableJsonFlag = true

  async run(): Promise<MessageJson[]> {
    const {flags} = await this.parse(Peek)
    const context = queueContext(this.settings, flags)
    return peekMessages(
      context,
      {deadLetter: flags['dead-letter'], limit: flags.all ? Infinity : flags.max, fromSequence: flags['from-sequence']},
      {json: this.jsonEnabled(), ndjson: flags.ndjson},
    )
  }
}
