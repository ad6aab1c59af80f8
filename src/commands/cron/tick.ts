import {BaseCommand} from '../../lib/base-command.js'
import {cronFlags} from '../../lib/cron/flags.js'
import {Flags} from '../../lib/oclif.js'

export default class CronTick extends BaseCommand {
  static override summary = 'Fire every schedule that is due now, then exit (for a CI cron job instead of a dyno).'

  static override examples = [
    {command: '<%= config.bin %> cron tick', description: 'Every five minutes from a scheduled workflow'},
    {command: '<%= config.bin %> cron tick --json', description: 'One JSON line per fire'},
  ]

  static override flags = {
    concurrency: Flags.integer({description: 'Ticks fired at once', default: 4, min: 1}),
    json: Flags.boolean({description: 'JSON lines instead of text'}),
    ...cronFlags,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(CronTick)
    const {runCommand} = await import('../../lib/cron/commands.js')
    await runCommand(this.settings, flags, {mode: 'tick'})
  }
}
