import {Flags} from '../../lib/oclif.js'

import {BaseCommand} from '../../lib/base-command.js'
import {UsageError} from '../../common/errors.js'
import {Progress, warn} from '../../lib/output.js'
import {withBackend} from '../../lib/management/backend.js'
import {queueContext} from '../../lib/servicebus/command-support.js'
import {splitEntityPath} from '../../lib/servicebus/entity.js'
import {prepareSubscriptionResubmit, RESUBMIT_PROPERTY} from '../../lib/servicebus/subscription-resubmit.js'
import {withClient} from '../../lib/servicebus/connection.js'
import {matchingDeadLetters, resubmitDeadLetters} from '../../lib/servicebus/dead-letter.js'
import {connectionFlags, receiveEntityFlags} from '../../lib/servicebus/flags.js'
import {parseSequenceNumbers} from '../../lib/servicebus/schedule.js'

export default class DlqResubmit extends BaseCommand {
  static override description = `Move dead letters back to their queue.

Each dead letter is sent to the queue again (same body, properties and application properties; the dead-letter fields are dropped), and only then removed from the dead-letter queue: a crash may duplicate a message, never lose one. Each copy gets a new message id, so duplicate detection never drops it (--keep-message-id keeps the old one). Choose what to move with -n, --sequence, --all and --reason; --dry-run shows what would move.`

  static override examples = [
    {command: '<%= config.bin %> dlq resubmit -q jobs --all', description: 'Move every dead letter back'},
    {command: '<%= config.bin %> dlq resubmit -q jobs --sequence 42 43', description: 'Move two dead letters back'},
    {
      command: '<%= config.bin %> dlq resubmit -q jobs --reason TTLExpiredException --all --dry-run',
      description: 'What would move, without moving it',
    },
  ]

  static override flags = {
    ...receiveEntityFlags,
    max: Flags.integer({char: 'n', description: 'Move at most this many', min: 1}),
    sequence: Flags.string({description: 'Sequence numbers to move', multiple: true}),
    all: Flags.boolean({description: 'Move every (matching) dead letter'}),
    reason: Flags.string({description: 'Only dead letters with this reason'}),
    'dry-run': Flags.boolean({description: 'List what would be moved; change nothing'}),
    'keep-message-id': Flags.boolean({description: 'Keep the message ids (a duplicate-detection queue drops copies inside its window)'}),
    ...connectionFlags,
  }

  static override enableJsonFlag = true

  async run(): Promise<{queue: string; resubmitted: number; sequenceNumbers: string[]; dryRun: boolean}> {
    const {flags} = await this.parse(DlqResubmit)
    if (flags.max === undefined && flags.sequence === undefined && !flags.all) {
      throw new UsageError('say which dead letters to move', {hint: 'Use -n N, --sequence SEQ..., or --all (with --reason to filter).'})
    }
    const sequenceNumbers = flags.sequence ? new Set(parseSequenceNumbers(flags.sequence)) : undefined
    const filter = {reason: flags.reason, sequenceNumbers, limit: flags.max ?? Infinity}
    const context = queueContext(this.settings, flags)
    if (flags['keep-message-id'] && !flags['dry-run']) {
      warn(
        '--keep-message-id: if the queue has duplicate detection, Service Bus accepts and then drops a copy whose id is still in its window, and that dead letter is completed anyway.',
      )
    }
    const moved: string[] = []
    const progress = new Progress(`Resubmitting to ${context.queue}`)
    await withClient(context.target, context, async client => {
      if (flags['dry-run']) {
        moved.push(...(await matchingDeadLetters(client, context.queue, filter)))
        return
      }
      const {name, subscription} = splitEntityPath(context.queue)
      if (subscription !== undefined) {
        await withBackend(this.settings, flags, ({topics}) => prepareSubscriptionResubmit(topics, name, subscription))
      }
      await resubmitDeadLetters(client, context.queue, filter, {
        keepMessageId: flags['keep-message-id'],
        ...(subscription === undefined ? {} : {sendTo: name, markCopies: {[RESUBMIT_PROPERTY]: subscription}}),
        onResubmitted: message => {
          moved.push(String(message.sequenceNumber))
          progress.update(moved.length)
        },
      })
      progress.done()
    })
    if (!this.jsonEnabled()) {
      const verb = flags['dry-run'] ? 'Would resubmit' : 'Resubmitted'
      this.log(
        `${verb} ${moved.length} dead letter${moved.length === 1 ? '' : 's'} to ${context.queue}${moved.length > 0 ? `: ${moved.join(' ')}` : ''}`,
      )
    }
    return {
      queue: context.queue,
      resubmitted: flags['dry-run'] ? 0 : moved.length,
      sequenceNumbers: moved,
      dryRun: Boolean(flags['dry-run']),
    }
  }
}
