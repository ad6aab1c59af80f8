import {BaseCommand} from '../../lib/base-command.js'
import {cronFlags, ndjsonFlag} from '../../lib/cron/flags.js'
import {Args} from '../../lib/oclif.js'
import {yesFlag} from '../../lib/confirm.js'

export default class CronRemove extends BaseCommand {
  static override summary = 'Remove a schedule (cancels its tick).'

  static override description = 'Cancels the tick of the schedule; its history goes with it. Asks on a terminal; needs --yes anywhere else.'

  static override examples = [{command: '<%= config.bin %> cron remove report --yes', description: 'Remove a schedule (cancels its tick).'}]

  static override args = {name: Args.string({description: 'Schedule name', required: true})}

  static override flags = {...yesFlag, ...ndjsonFlag, ...cronFlags}

  static override enableJsonFlag = true

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(CronRemove)
    const {removeCommand} = await import('../../lib/cron/commands.js')
    return removeCommand(this.settings, args.name, flags, {json: this.jsonEnabled(), log: text => this.log(text)})
  }
}
