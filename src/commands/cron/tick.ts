import {BaseCommand} from '../../lib/base-command.js'
import {cronFlags} from '../../lib/cron/flags.js'
import {ndjsonFlag} from '../../lib/event-flags.js'
import {Flags} from '../../lib/oclif.js'

export default class CronTick extends BaseCommand {
  static override summary = 'Fire every schedule that is due now, then exit (for a CI cron job instead of a dyno).'

  static override description =
    'Receives every tick that is due now, fires it as "qjob cron run" does, and exits once none is left (a tick that comes due after the start is left for the next run). For a scheduled CI workflow or a Heroku Scheduler job instead of a clock dyno.'

  static override examples = [
    {command: '<%= config.bin %> cron tick', description: 'Every five minutes from a scheduled workflow'},
    {command: '<%= config.bin %> cron tick --ndjson', description: 'One JSON line per fire'},
  ]

  static override flags = {
    concurrency: Flags.integer({description: 'Ticks fired at once', default: 4, min: 1}),
    ndjson: ndjsonFlag('One JSON object a line per fire instead of text'),
    ...cronFlags,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(CronTick)
    const {runCommand} = await import('../../lib/cron/commands.js')
    await runCommand(this.settings, flags, {mode: 'tick'})
  }
}
