import {ndjsonFlag} from '../lib/event-flags.js'
import {BaseCommand} from '../lib/base-command.js'
import {ExitStatus, exitCodeOf} from '../common/errors.js'
import {herokuAppFlags} from '../lib/heroku/flags.js'
import {managementFlags} from '../lib/management/flags.js'
import {Flags} from '../lib/oclif.js'
import {entityPathFromFlags} from '../lib/servicebus/entity.js'
import {receiveEntityFlags} from '../lib/servicebus/flags.js'

export default class Autoscale extends BaseCommand {
  static override summary = 'Scale a process type with the depth of a queue.'

  static override description = `Every --interval, read the queue's active count (scheduled messages count once they are due) and set the formation of --type to

  clamp(ceil(active / per-worker), min, max)

then apply, in order: --activation (from zero, scale up only when more than N messages are active), --min and --max, the most dynos the platform accepted (a refused quantity is reported once and not asked again), --max-step (most dynos added or removed per decision), --up-cooldown (since the last scale-up) and --down-cooldown (since the last change, or the last time the load needed the dynos running: scale-down and scale-to-zero wait this long after the queue empties).

One line per decision on stdout: the counts, current and desired quantity, the action and the rule that held it (target, activation, min, max, tier-limit, locked, max-step, up-cooldown, down-cooldown) with its reason; --ndjson (or --json) for one JSON object a line. A failed read or scale is reported on stderr and tried again next interval; a Platform API rate limit backs off (interval × 2, × 4, … up to 10 minutes). The first read fails at once on a wrong queue, app, process type or token (exit 3 or 4).

--once makes one decision and exits (for cron or a Heroku Scheduler job; the formation's last change starts the down-cooldown); its exit code is 1 when the read or scale failed (2 when the platform refused the quantity). --dry-run decides without scaling.`

  static override usage =
    '<%= command.id %> -q QUEUE --max N --per-worker N [--type worker] [--min N] [--interval 30s] [--once] [--dry-run] [--ndjson]'

  static override examples = [
    {
      command: '<%= config.bin %> autoscale -q jobs --type worker --min 0 --max 10 --per-worker 50',
      description: 'Follow the queue every 30 s: one worker per 50 active messages, up to 10, down to zero after 5 minutes without load',
    },
    {
      command: '<%= config.bin %> autoscale -q jobs --max 10 --per-worker 50 --once --dry-run',
      description:
        'What would it do now? One decision, nothing changed:\n  time=2026-11-23T17:30:00.000Z queue=jobs active=120 scheduled=0 dead_letter=0 locked=unknown type=worker current=1 desired=3 action=dry-run rule=target reason="ceil(120 active / 50 per worker) = 3"',
    },
    {
      command: '<%= config.bin %> autoscale -q jobs --max 20 --per-worker 100 --activation 10 --max-step 2 --ndjson',
      description: 'Wake from zero only above 10 messages, two dynos at a time; JSON lines',
    },
    {
      command: '<%= config.bin %> autoscale -q jobs --max 5 --per-worker 20 --once',
      description: 'From cron every minute (or a Heroku Scheduler job)',
    },
  ]

  static override flags = {
    ...receiveEntityFlags,
    type: Flags.string({char: 't', description: 'Process type to scale', default: 'worker'}),
    min: Flags.integer({description: 'Fewest dynos (0 allows scale to zero)', default: 0}),
    max: Flags.integer({description: 'Most dynos', required: true}),
    'per-worker': Flags.integer({description: 'Active messages per dyno (the target)', required: true}),
    activation: Flags.integer({description: 'From zero, scale up only when more than N messages are active', default: 0}),
    interval: Flags.string({description: 'Time between decisions', default: '30s'}),
    'up-cooldown': Flags.string({description: 'Least time between scale-ups', default: '60s'}),
    'down-cooldown': Flags.string({description: 'Time without load (and since the last change) before a scale-down', default: '300s'}),
    'max-step': Flags.integer({description: 'Most dynos added or removed per decision'}),
    once: Flags.boolean({description: 'Make one decision and exit'}),
    'dry-run': Flags.boolean({description: 'Print decisions without scaling'}),
    ndjson: ndjsonFlag('One JSON object a line instead of text'),
    ...herokuAppFlags,
    ...managementFlags,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Autoscale)
    const {autoscaleSettings} = await import('../lib/autoscale/options.js')
    // Every value is checked before a token, app or connection is looked at.
    const {config, intervalMs} = autoscaleSettings({...flags, 'jobs-per-worker': 1})
    const queue = this.settings.require(
      'queue',
      entityPathFromFlags(flags, 'receive'),
      'Pass -q QUEUE (or --topic T --subscription S), set QUEUE_NAME, or run "qjob config set queue NAME".',
    )
    const {runAutoscaleCommand} = await import('../lib/autoscale/wiring.js')

    const stop = new AbortController()
    const onSignal = () => stop.abort()
    process.on('SIGTERM', onSignal)
    process.on('SIGINT', onSignal)
    try {
      const summary = await runAutoscaleCommand(this.settings, {
        queue,
        type: flags.type,
        app: flags.app,
        remote: flags.remote,
        management: flags,
        config,
        intervalMs,
        once: flags.once,
        dryRun: flags['dry-run'],
        json: flags.ndjson,
        signal: stop.signal,
      })
      // --once: the failure was printed with its hint; only the exit code is left to give.
      if (flags.once && summary.lastError !== undefined) throw new ExitStatus(exitCodeOf(summary.lastError))
    } finally {
      process.off('SIGTERM', onSignal)
      process.off('SIGINT', onSignal)
    }
  }
}
