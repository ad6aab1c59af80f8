import {Flags} from '../lib/oclif.js'

import {ndjsonFlag} from '../lib/event-flags.js'
import {secondsFlag} from '../lib/duration-flag.js'
import {BaseCommand} from '../lib/base-command.js'
import {parseDuration} from '../common/duration.js'
import {UsageError} from '../common/errors.js'
import {queueContext} from '../lib/servicebus/command-support.js'
import {withClient} from '../lib/servicebus/connection.js'
import {connectionFlags, receiveEntityFlags} from '../lib/servicebus/flags.js'
import {jobLogger} from '../lib/worker/job-log.js'
import {parseExitCodes, parseRoutes} from '../lib/worker/work-options.js'
import {Worker} from '../lib/worker/worker.js'

// --timeout is the job timeout here; the connection's own timeout is --connection-timeout.
const {timeout: _connectionTimeout, ...workConnectionFlags} = connectionFlags

export default class Work extends BaseCommand {
  static override description = `Run a command for every message of a queue: a complete queue worker.

For each message, COMMAND runs through the shell with the body on stdin and the message's fields in the environment: QJOB_MESSAGE_ID, QJOB_SEQUENCE_NUMBER, QJOB_DELIVERY_COUNT, QJOB_SUBJECT, QJOB_CONTENT_TYPE, QJOB_CORRELATION_ID, QJOB_SESSION_ID, QJOB_ENQUEUED_TIME and each application property as QJOB_PROP_<NAME>.

Exit 0 completes the message. Any other exit abandons it (the queue's max delivery count then dead-letters poison messages), or dead-letters it at once for the codes in --dead-letter-on, with reason ExitCode<N> and the end of the command's stderr as the description. The lock is renewed while the command runs. SIGTERM/SIGINT (Heroku stopping the dyno) stop taking messages, let running jobs finish within --drain-timeout, abandon the rest and exit 0. A kill -9 loses nothing: the locks expire and the messages come back.

One logfmt line per job goes to stderr (one JSON object a line with --ndjson), and a summary at exit.`

  static override examples = [
    {
      command: '<%= config.bin %> work -q jobs --exec "node job.js"',
      description: 'A complete worker (Procfile: worker: qjob work -q jobs --exec "node job.js")',
    },
    {
      command: '<%= config.bin %> work -q jobs --route resize="node resize.js" --route email="node email.js" --dead-letter-on 65',
      description: 'Route by subject; exit 65 means "never retry"',
    },
    {
      command: '<%= config.bin %> work -q jobs --exec ./job.sh --concurrency 4 --timeout 10m',
      description: 'Four jobs at a time, each at most ten minutes',
    },
    {
      command: '<%= config.bin %> work -q nightly --exec "python report.py" --exit-when-empty',
      description: 'A one-off dyno or cron job that drains the queue and exits',
    },
  ]

  static override flags = {
    ...receiveEntityFlags,
    exec: Flags.string({char: 'e', description: 'Command to run for each message (through the shell)'}),
    route: Flags.string({description: 'SUBJECT=COMMAND: run COMMAND for messages with that subject (repeatable)', multiple: true}),
    'dead-letter-on': Flags.string({description: 'Exit codes that dead-letter at once instead of abandoning, e.g. 2,65'}),
    concurrency: Flags.integer({char: 'c', description: 'Jobs at a time', default: 1, min: 1, max: 256}),
    timeout: Flags.string({description: 'Kill a job that runs longer than this (then abandon), e.g. 10m'}),
    'max-lock-renewal': Flags.string({description: "Renew a running job's lock for at most this long", default: '1h'}),
    'drain-timeout': Flags.string({description: 'On SIGTERM, wait this long for running jobs', default: '25s'}),
    prefetch: Flags.integer({
      description:
        'While jobs are short (under 1 s), lock up to this many messages ahead of a free slot (default: 1 per 4 of --concurrency, at least 4; 0: lock only what runs)',
      min: 0,
      max: 256,
    }),
    'max-messages': Flags.integer({description: 'Stop after this many messages', min: 1}),
    'exit-when-empty': Flags.boolean({description: 'Stop when the queue has no more messages'}),
    session: Flags.boolean({description: 'Work through sessions one at a time (session-enabled queues)'}),
    ndjson: ndjsonFlag('Log one JSON object a line instead of logfmt'),
    ...workConnectionFlags,
    'connection-timeout': secondsFlag({
      description: 'How long to wait for Service Bus before failing, e.g. 30s, 2m (bare numbers are seconds)',
      default: 30,
      minSeconds: 1,
      helpGroup: 'CONNECTION',
    }),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Work)
    const routes = parseRoutes(flags.route)
    if (!flags.exec && routes.size === 0) throw new UsageError('nothing to run', {hint: 'Give --exec COMMAND, or --route SUBJECT=COMMAND.'})
    const deadLetterOn = parseExitCodes(flags['dead-letter-on'])
    const timeoutMs = flags.timeout === undefined ? undefined : parseDuration(flags.timeout, 'timeout')
    const maxLockRenewalMs = parseDuration(flags['max-lock-renewal'], 'max lock renewal')
    const drainTimeoutMs = parseDuration(flags['drain-timeout'], 'drain timeout')
    const context = queueContext(this.settings, {...flags, timeout: flags['connection-timeout']})
    const log = jobLogger(flags.ndjson)

    const stop = new AbortController()
    const onSignal = (signal: NodeJS.Signals) => {
      if (stop.signal.aborted) return
      log({at: 'worker', event: 'stopping', signal})
      stop.abort()
    }
    process.on('SIGTERM', onSignal)
    process.on('SIGINT', onSignal)
    let worker: Worker | undefined
    try {
      log({at: 'worker', event: 'start', queue: context.queue, concurrency: flags.concurrency})
      await withClient(context.target, context, client => {
        worker = new Worker(client, {
          queue: context.queue,
          exec: flags.exec,
          routes,
          deadLetterOn,
          concurrency: flags.concurrency,
          prefetch: flags.prefetch,
          maxLockRenewalMs,
          timeoutMs,
          drainTimeoutMs,
          maxMessages: flags['max-messages'],
          exitWhenEmpty: flags['exit-when-empty'],
          sessions: flags.session,
          stop: stop.signal,
          log,
        })
        return worker.run()
      })
    } finally {
      // The summary is written however the worker ends (an error is reported after it).
      const summary = worker?.summary
      log({
        at: 'summary',
        processed: summary?.processed ?? 0,
        completed: summary?.completed ?? 0,
        abandoned: summary?.abandoned ?? 0,
        dead_lettered: summary?.deadLettered ?? 0,
        failed_settlements: summary?.failedSettlements || undefined,
      })
      process.off('SIGTERM', onSignal)
      process.off('SIGINT', onSignal)
    }
  }
}
