import {Flags} from '../lib/oclif.js'

import {BaseCommand} from '../lib/base-command.js'
import {secondsFlag} from '../lib/duration-flag.js'
import {UsageError} from '../common/errors.js'
import {queueContext} from '../lib/servicebus/command-support.js'
import {connectionFlags, receiveEntityFlags} from '../lib/servicebus/flags.js'
import type {Settlement} from '../lib/servicebus/receive.js'
import {receiveMessages} from '../lib/servicebus/receive-messages.js'
import {parseSequenceNumbers} from '../lib/servicebus/schedule.js'
import {stopOnSignals} from '../lib/stop-signal.js'

export default class Receive extends BaseCommand {
  static override description = `Receive messages: print each one, then settle it.

In peek-lock mode (the default) every message is written to stdout and flushed before it is settled (--settle, default complete), so a crash or Ctrl-C never loses a message: whatever was not written stays locked and comes back. --mode receive-and-delete removes messages as they are delivered (faster, but a crash can lose what was in flight).

Receives up to -n messages: waits up to --idle-timeout for each batch and stops at the first empty wait, or after --max-wait in all. --sequence receives deferred messages (those settled with defer) by their sequence numbers instead, with the same settle options.`

  static override examples = [
    {command: '<%= config.bin %> receive -q jobs', description: 'Receive and complete one message'},
    {command: '<%= config.bin %> receive -q jobs -n 100 --ndjson > done.ndjson', description: 'Receive up to 100, one JSON object a line'},
    {command: '<%= config.bin %> receive -q jobs --settle abandon', description: 'Look at a message and put it back (delivery count + 1)'},
    {
      command: '<%= config.bin %> receive -q jobs --dead-letter -n 10 --json',
      description: 'Take 10 dead letters off the dead-letter queue',
    },
    {command: '<%= config.bin %> receive -q orders --session-id customer-42 -n 50', description: 'Messages of one session, in order'},
    {
      command: '<%= config.bin %> receive -q jobs --sequence 12 15 --settle complete',
      description: 'Take two deferred messages back and complete them',
    },
  ]

  static override flags = {
    ...receiveEntityFlags,
    max: Flags.integer({char: 'n', description: 'Receive at most this many messages', default: 1, min: 1}),
    'idle-timeout': secondsFlag({
      description: 'Stop when no message came for this long (the wait for each batch), e.g. 5s, 2m (bare numbers are seconds)',
      default: 5,
      // The old name; `--wait` is a switch elsewhere (scale, run-once), so it is only an alias here.
      aliases: ['wait'],
      deprecateAliases: true,
    }),
    'max-wait': secondsFlag({description: 'How long to run in all, at most, e.g. 1m (bare numbers are seconds)', minSeconds: 1}),
    mode: Flags.string({description: 'Receive mode', options: ['peek-lock', 'receive-and-delete'], default: 'peek-lock'}),
    settle: Flags.string({
      description: 'What to do with each message once written (peek-lock)',
      options: ['complete', 'abandon', 'dead-letter', 'defer'],
    }),
    reason: Flags.string({description: 'Dead-letter reason (with --settle dead-letter)'}),
    description: Flags.string({description: 'Dead-letter description (with --settle dead-letter)'}),
    'dead-letter': Flags.boolean({description: 'Receive from the dead-letter sub-queue'}),
    'session-id': Flags.string({description: 'Receive from this session'}),
    'next-session': Flags.boolean({description: 'Receive from the next available session', exclusive: ['session-id']}),
    ndjson: Flags.boolean({description: 'One JSON object a line, each written before it is settled', exclusive: ['json']}),
    sequence: Flags.string({
      description: 'Receive these deferred messages by sequence number (space or comma separated)',
      multiple: true,
      exclusive: ['next-session', 'max', 'idle-timeout', 'max-wait'],
    }),
    ...connectionFlags,
  }

  static override enableJsonFlag = true

  async run(): Promise<void> {
    const {flags} = await this.parse(Receive)
    const deleteMode = flags.mode === 'receive-and-delete'
    if (deleteMode && flags.settle)
      throw new UsageError('--settle applies to peek-lock mode only', {hint: 'receive-and-delete removes messages as they are delivered.'})
    if ((flags.reason || flags.description) && flags.settle !== 'dead-letter')
      throw new UsageError('--reason and --description go with --settle dead-letter')
    const sequenceNumbers = flags.sequence ? parseSequenceNumbers(flags.sequence) : undefined
    const context = queueContext(this.settings, flags)
    const stop = stopOnSignals()
    try {
      await receiveMessages(
        context,
        {
          deadLetter: flags['dead-letter'],
          mode: deleteMode ? 'receiveAndDelete' : 'peekLock',
          sessionId: flags['session-id'],
          nextSession: flags['next-session'],
          count: flags.max,
          waitMs: Math.round(flags['idle-timeout'] * 1000),
          maxWaitMs: flags['max-wait'] === undefined ? undefined : Math.round(flags['max-wait'] * 1000),
          settle: deleteMode ? undefined : ((flags.settle ?? 'complete') as Settlement),
          deadLetterReason: flags.reason,
          deadLetterDescription: flags.description,
          sequenceNumbers,
        },
        this.jsonEnabled() ? 'json' : flags.ndjson ? 'ndjson' : 'text',
        stop.signal,
      )
    } finally {
      stop.dispose()
    }
    if (stop.exitCode !== undefined) process.exitCode = stop.exitCode
  }
}
