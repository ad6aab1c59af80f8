import {BaseCommand} from '../../lib/base-command.js'
import {cronFlags, ndjsonFlag} from '../../lib/cron/flags.js'
import {Args} from '../../lib/oclif.js'

export default class CronPause extends BaseCommand {
  static override summary = 'Pause a schedule: its ticks are kept, nothing fires.'

  static override description =
    'The tick stays in the control queue (so list and show still see the schedule); when it comes due it is passed on to the next fire time without running the action, until "qjob cron resume".'

  static override examples = [
    {command: '<%= config.bin %> cron pause report', description: 'Pause a schedule: its ticks are kept, nothing fires.'},
  ]

  static override args = {name: Args.string({description: 'Schedule name', required: true})}

  static override flags = {...ndjsonFlag, ...cronFlags}

  static override enableJsonFlag = true

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(CronPause)
    const {pauseCommand} = await import('../../lib/cron/commands.js')
    return pauseCommand(this.settings, args.name, flags, {json: this.jsonEnabled(), log: text => this.log(text)})
  }
}
