import {Args, Flags} from '../../lib/oclif.js'

import {BaseCommand} from '../../lib/base-command.js'
import {parseDuration} from '../../common/duration.js'
import {warn} from '../../lib/output.js'
import {messageFieldsFromFlags, queueContext} from '../../lib/servicebus/command-support.js'
import {withClient} from '../../lib/servicebus/connection.js'
import {connectionFlags, messageFlags, sendEntityFlags} from '../../lib/servicebus/flags.js'
import {readBody, repeatBody} from '../../lib/servicebus/message-input.js'
import {scheduleMessages, scheduleTime} from '../../lib/servicebus/schedule.js'

export default class Schedule extends BaseCommand {
  static override description = `Schedule a message to appear in the queue later.

The message gets its sequence number at once (printed, for "qjob schedule cancel") and becomes visible to receivers at --at TIME or after --in DURATION. Body and properties as for "qjob send".`

  static override examples = [
    {command: '<%= config.bin %> schedule -q jobs \'{"job":"report"}\' --in 10m', description: 'Run a job in ten minutes'},
    {
      command: '<%= config.bin %> schedule -q jobs --file job.json --at 2026-12-01T09:00:00Z --subject nightly',
      description: 'At a fixed time',
    },
    {
      command: '<%= config.bin %> schedule -q jobs reminder --in 1h --count 3 --json',
      description: 'Three messages; sequence numbers as JSON',
    },
  ]

  static override args = {
    body: Args.string({description: 'Message body (else --file or stdin)', ignoreStdin: true}),
  }

  static override flags = {
    ...sendEntityFlags,
    at: Flags.string({description: 'When, as ISO 8601 (e.g. 2026-12-01T09:00:00Z)', exclusive: ['in']}),
    in: Flags.string({description: 'After this long, e.g. 90s, 10m, 2h'}),
    ...messageFlags,
    ...connectionFlags,
  }

  static override enableJsonFlag = true

  async run(): Promise<{queue: string; scheduledFor: string; sequenceNumbers: string[]}> {
    const {args, flags} = await this.parse(Schedule)
    const at = scheduleTime(flags.at, flags.in === undefined ? undefined : parseDuration(flags.in))
    if (flags.at !== undefined && at.getTime() < Date.now()) {
      warn(`--at ${flags.at} is in the past: Service Bus enqueues the message at once.`)
    }
    const context = queueContext(this.settings, flags, 'send')
    const fields = messageFieldsFromFlags(flags)
    const body = await readBody({body: args.body, file: flags.file})
    const messages = [...repeatBody(body, fields, flags.count)]
    const sequenceNumbers = await withClient(context.target, context, client => scheduleMessages(client, context.queue, messages, at))
    if (!this.jsonEnabled()) {
      this.log(
        `Scheduled ${sequenceNumbers.length} message${sequenceNumbers.length === 1 ? '' : 's'} on ${context.queue} for ${at.toISOString()}`,
      )
      this.log(`Sequence number${sequenceNumbers.length === 1 ? '' : 's'}: ${sequenceNumbers.join(' ')}`)
    }
    return {queue: context.queue, scheduledFor: at.toISOString(), sequenceNumbers}
  }
}
