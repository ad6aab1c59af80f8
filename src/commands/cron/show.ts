import {BaseCommand} from '../../lib/base-command.js'
import {cronFlags, ndjsonFlag} from '../../lib/cron/flags.js'
import {Args} from '../../lib/oclif.js'

export default class CronShow extends BaseCommand {
  static override summary = 'Show a schedule and its last 20 outcomes.'

  static override examples = [
    {command: '<%= config.bin %> cron show report', description: 'Show a schedule and its last 20 outcomes.'},
  ]

  static override args = {name: Args.string({description: 'Schedule name', required: true})}

  static override flags = {...ndjsonFlag, ...cronFlags}

  static override enableJsonFlag = true

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(CronShow)
    const {showCommand} = await import('../../lib/cron/commands.js')
    return showCommand(this.settings, args.name, flags, {json: this.jsonEnabled(), log: text => this.log(text)})
  }
}
