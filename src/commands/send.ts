import {Args, Flags} from '../lib/oclif.js'

import {BaseCommand} from '../lib/base-command.js'
import {UsageError} from '../common/errors.js'
import {parseDuration} from '../common/duration.js'
import {Progress, info, warn} from '../lib/output.js'
import {messageFieldsFromFlags, queueContext} from '../lib/servicebus/command-support.js'
import {withClient} from '../lib/servicebus/connection.js'
import {connectionFlags, messageFlags, sendEntityFlags} from '../lib/servicebus/flags.js'
import {lineOf, readBody, readNdjson, repeatBody} from '../lib/servicebus/message-input.js'
import {sendAll} from '../lib/servicebus/send.js'
import {stopOnSignals} from '../lib/stop-signal.js'

/** Flags that describe one message; with --ndjson each line carries its own. */
const PER_MESSAGE_FLAGS = ['content-type', 'subject', 'message-id', 'correlation-id', 'session-id', 'reply-to', 'property', 'ttl'] as const

export default class Send extends BaseCommand {
  static override description = `Send messages to a queue.

The body comes from the BODY argument, --file, or stdin, and is sent as is (bytes; text as UTF-8). --count sends it N times. --ndjson instead reads one message object a line (the message JSON that "qjob peek --ndjson" prints) from --file or stdin, streamed, so a queue can be copied or replayed. Messages are batched as large as the queue allows, with --concurrency batches in flight; a batch that waits longer than --linger for more input is sent as it is (a slow stream is never held back). SIGINT/SIGTERM stop reading, send what was read, report the count, and exit 130/143.`

  static override examples = [
    {
      command: '<%= config.bin %> send -q jobs \'{"job":"resize","id":42}\' --content-type application/json --subject resize',
      description: 'Send one JSON job',
    },
    {
      command: '<%= config.bin %> send -q reports -p tenant=acme -p priority=2 < report.pdf',
      description: 'Send a file from stdin with typed application properties',
    },
    {command: '<%= config.bin %> send -q load-test hello --count 10000', description: 'Send 10,000 copies'},
    {
      command: '<%= config.bin %> peek -q jobs --all --ndjson | <%= config.bin %> send -q jobs-copy --ndjson',
      description: "Copy a queue's messages to another queue",
    },
    {command: '<%= config.bin %> send -q jobs "ping" --ttl 10m --json', description: 'Print the message ids as JSON'},
  ]

  static override args = {
    body: Args.string({description: 'Message body (else --file or stdin)', ignoreStdin: true}),
  }

  static override flags = {
    ...sendEntityFlags,
    ...messageFlags,
    ndjson: Flags.boolean({description: 'Read message objects, one JSON object a line, from --file or stdin'}),
    concurrency: Flags.integer({
      description: 'Batches in flight at once (1 keeps the input order across batches)',
      default: 4,
      min: 1,
      max: 64,
    }),
    linger: Flags.string({
      description: 'With --ndjson or a stream: send a partial batch after this long without more input',
      default: '100ms',
    }),
    'allow-empty': Flags.boolean({description: 'Send an empty body (empty stdin or file) instead of refusing'}),
    ...connectionFlags,
  }

  static override enableJsonFlag = true

  static override ndjsonIsInput = true

  async run(): Promise<{queue: string; sent: number; batches: number; messageIds: string[]; lastLine?: number; stoppedBy?: string}> {
    const {args, flags} = await this.parse(Send)
    if (flags.ndjson) {
      const misplaced = PER_MESSAGE_FLAGS.filter(name => flags[name] !== undefined)
      if (args.body !== undefined || misplaced.length > 0 || flags.count !== 1) {
        throw new UsageError(
          `--ndjson takes each message's fields from its line; remove ${args.body === undefined ? '' : 'BODY '}${[...misplaced, ...(flags.count === 1 ? [] : ['count'])].map(name => `--${name}`).join(' ')}`.trim(),
        )
      }
    }
    const lingerMs = parseDuration(flags.linger, 'linger')
    const context = queueContext(this.settings, flags, 'send')
    const fields = messageFieldsFromFlags(flags)
    if (flags['message-id'] !== undefined && flags.count > 1) {
      warn(`all ${flags.count} messages get message id "${flags['message-id']}": a queue with duplicate detection keeps only the first.`)
    }
    const stop = stopOnSignals()
    try {
      let messages
      if (flags.ndjson) messages = readNdjson({file: flags.file, signal: stop.signal})
      else {
        const stopped = new Promise<undefined>(resolve => stop.signal.addEventListener('abort', () => resolve(undefined), {once: true}))
        const body = await Promise.race([readBody({body: args.body, file: flags.file}), stopped])
        if (body === undefined) {
          // Stopped while the body was still being read (stdin): nothing was sent.
          process.stdin.destroy()
          process.exitCode = stop.exitCode
          if (!this.jsonEnabled()) {
            this.log(`Sent 0 messages to ${context.queue}`)
            info(`Stopped by ${stop.stoppedBy}: stopped reading before the body was complete; nothing was sent.`)
          }
          return {queue: context.queue, sent: 0, batches: 0, messageIds: [], stoppedBy: stop.stoppedBy}
        }
        if (body.length === 0 && args.body === undefined && !flags['allow-empty']) {
          throw new UsageError(
            `the message body is empty (${flags.file === undefined || flags.file === '-' ? 'stdin' : flags.file} had nothing)`,
            {
              hint: 'Pipe or pass a body; --allow-empty sends an empty one on purpose.',
            },
          )
        }
        messages = repeatBody(body, fields, flags.count)
      }
      const progress = new Progress(`Sending to ${context.queue}`, flags.ndjson ? undefined : flags.count)
      const result = await withClient(context.target, context, async client => {
        const sender = client.createSender(context.queue)
        try {
          return await sendAll(sender, messages, {
            concurrency: fields.sessionId === undefined ? flags.concurrency : 1,
            collectIds: this.jsonEnabled(),
            onProgress: sent => progress.update(sent),
            lingerMs,
            signal: stop.signal,
            lineOf: flags.ndjson ? lineOf : undefined,
          })
        } finally {
          progress.done()
          await sender.close()
        }
      })
      const stoppedBy = result.stopped ? stop.stoppedBy : undefined
      if (!this.jsonEnabled()) {
        this.log(
          `Sent ${result.sent} message${result.sent === 1 ? '' : 's'} to ${context.queue}${stoppedBy && result.lastLine !== undefined ? ` (input up to line ${result.lastLine})` : ''}`,
        )
        if (stoppedBy) info(`Stopped by ${stoppedBy}: stopped reading; the messages already read were sent.`)
      }
      if (stoppedBy) process.exitCode = stop.exitCode
      return {
        queue: context.queue,
        sent: result.sent,
        batches: result.batches,
        messageIds: result.messageIds,
        lastLine: result.lastLine,
        stoppedBy,
      }
    } finally {
      stop.dispose()
    }
  }
}
