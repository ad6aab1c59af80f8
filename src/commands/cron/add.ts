import {BaseCommand} from '../../lib/base-command.js'
import {cronFlags, ndjsonFlag} from '../../lib/cron/flags.js'
import {appFlag} from '../../lib/heroku/flags.js'
import {Args, Flags} from '../../lib/oclif.js'

export default class CronAdd extends BaseCommand {
  static override summary = 'Add a recurring job: a one-off dyno, a message, or a formation change on a schedule.'

  static override description = `The schedule is a cron expression (5 fields, or 6 with seconds first; @hourly, @daily, @weekly, @monthly, @yearly) in --timezone (default UTC; DST handled: a time skipped by a spring-forward fires an hour on, a repeated one fires once), or --every DURATION (aligned on the interval).

One action: --run-once COMMAND (a detached one-off dyno, --size, --ttl, -e KEY=VALUE), --send BODY -q QUEUE (its message id is NAME@<fire time>), or --scale TYPE=N (repeatable).

The schedule is one scheduled tick message in the control queue (--cron-queue, default qjob-cron, created with duplicate detection); "qjob cron run" fires it. --overlap skip (default) skips a run-once while the previous run's dyno is still up; replace stops it first; allow runs both. A tick picked up later than --starting-deadline (default 5m) is recorded as missed, unless --catch-up (then it fires once).

--dry-run prints the next five fire times and schedules nothing.`

  static override examples = [
    {
      command:
        '<%= config.bin %> cron add report --schedule "0 7 * * 1-5" --timezone Europe/Berlin --run-once "node report.js" --size standard-2x --ttl 30m',
      description: 'A one-off dyno at 07:00 Berlin time on weekdays',
    },
    {
      command: '<%= config.bin %> cron add sweep --every 10m --send \'{"job":"sweep"}\' -q jobs',
      description: 'A message for the workers every ten minutes',
    },
    {
      command: '<%= config.bin %> cron add office-hours --schedule "0 8 * * 1-5" --scale worker=4',
      description: 'Business-hours formation (pair it with one that scales down at night)',
    },
    {
      command: '<%= config.bin %> cron add report --schedule @daily --run-once "node report.js" --dry-run',
      description: 'The next five fire times, nothing scheduled',
    },
  ]

  static override args = {name: Args.string({description: 'Schedule name (letters, digits, ".", "_", "-")', required: true})}

  static override flags = {
    schedule: Flags.string({
      char: 's',
      description: 'Cron expression, e.g. "0 7 * * 1-5", "*/30 * * * * *", @hourly',
      exclusive: ['every'],
    }),
    every: Flags.string({description: 'Fixed interval instead, e.g. 10m, 2s'}),
    timezone: Flags.string({description: 'IANA time zone of the cron expression (default UTC)'}),
    'run-once': Flags.string({description: 'Action: run COMMAND on a detached one-off dyno', helpGroup: 'ACTION'}),
    size: Flags.string({description: 'Dyno size of --run-once', helpGroup: 'ACTION'}),
    ttl: Flags.string({description: '--run-once: dyno time to live (e.g. 30m); --send: message time to live', helpGroup: 'ACTION'}),
    env: Flags.string({char: 'e', description: 'Config var for --run-once, KEY=VALUE (repeatable)', multiple: true, helpGroup: 'ACTION'}),
    send: Flags.string({description: 'Action: send BODY to -q QUEUE', helpGroup: 'ACTION'}),
    queue: Flags.string({char: 'q', description: 'Queue of --send [env: QUEUE_NAME]', helpGroup: 'ACTION'}),
    'content-type': Flags.string({description: 'Content type of --send', helpGroup: 'ACTION'}),
    subject: Flags.string({description: 'Subject of --send', helpGroup: 'ACTION'}),
    property: Flags.string({
      char: 'p',
      description: 'Application property of --send, key=value (repeatable)',
      multiple: true,
      helpGroup: 'ACTION',
    }),
    scale: Flags.string({description: 'Action: set the formation, TYPE=N (repeatable)', multiple: true, helpGroup: 'ACTION'}),
    overlap: Flags.string({description: 'When the previous run-once is still up', options: ['skip', 'allow', 'replace'], default: 'skip'}),
    'starting-deadline': Flags.string({description: 'A tick picked up later than this is missed', default: '5m'}),
    'catch-up': Flags.boolean({description: 'Fire a missed tick once instead of recording it as missed'}),
    replace: Flags.boolean({description: 'Replace a schedule of the same name (its history is kept)'}),
    'dry-run': Flags.boolean({description: 'Print the next five fire times; schedule nothing'}),
    app: appFlag,
    ...ndjsonFlag,
    ...cronFlags,
  }

  static override enableJsonFlag = true

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(CronAdd)
    const {addCommand} = await import('../../lib/cron/commands.js')
    return addCommand(this.settings, args.name, flags, {json: this.jsonEnabled(), log: text => this.log(text)})
  }
}
