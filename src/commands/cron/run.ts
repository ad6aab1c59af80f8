import {BaseCommand} from '../../lib/base-command.js'
import {cronFlags} from '../../lib/cron/flags.js'
import {ndjsonFlag} from '../../lib/event-flags.js'
import {Flags} from '../../lib/oclif.js'

export default class CronRun extends BaseCommand {
  static override summary = 'The scheduler: fire the schedules as they come due (run it in any dyno, several for redundancy).'

  static override description = `Receives due ticks from the control queue and fires them. Run as many replicas as you like (a "clock:" Procfile line, or beside a worker): the replica that locks a due tick fires it; it first schedules the next tick (message id NAME@<next fire time>, so two replicas racing after a lock expiry create one), then performs the action, records the outcome in the next tick and completes the current one. A replica killed mid-fire leaves the lock to expire; the next replica finishes the job and a fire time is never run twice.

A tick whose body is not a schedule is dead-lettered with a reason. One line per fire on stdout (--json: JSON lines). --exit-when-idle exits once no tick is due within --idle (for a CI job).`

  static override examples = [
    {command: '<%= config.bin %> cron run', description: 'In a Procfile: clock: qjob cron run'},
    {
      command: '<%= config.bin %> cron run --exit-when-idle --idle 1m --json',
      description: 'From a scheduled CI workflow: fire what comes due within a minute, then exit',
    },
  ]

  static override flags = {
    'exit-when-idle': Flags.boolean({description: 'Exit once no tick is due within --idle'}),
    idle: Flags.string({description: 'With --exit-when-idle: how far ahead to wait for a due tick', default: '30s'}),
    concurrency: Flags.integer({description: 'Ticks fired at once by this replica', default: 4, min: 1}),
    ndjson: ndjsonFlag('One JSON object a line per fire instead of text'),
    ...cronFlags,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(CronRun)
    const {runCommand} = await import('../../lib/cron/commands.js')
    await runCommand(this.settings, flags, {mode: 'run'})
  }
}
