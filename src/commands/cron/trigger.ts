import {BaseCommand} from '../../lib/base-command.js'
import {cronFlags, ndjsonFlag} from '../../lib/cron/flags.js'
import {Args} from '../../lib/oclif.js'

export default class CronTrigger extends BaseCommand {
  static override summary = 'Run the action of a schedule now, once (recorded in its history).'

  static override description =
    'Performs the action at once from this process (a one-off dyno, the message, the formation change), records the outcome in the history of the schedule and leaves its next run as it was. Exit 1 when the action failed.'

  static override examples = [
    {command: '<%= config.bin %> cron trigger report', description: 'Run the action of a schedule now, once (recorded in its history).'},
  ]

  static override args = {name: Args.string({description: 'Schedule name', required: true})}

  static override flags = {...ndjsonFlag, ...cronFlags}

  static override enableJsonFlag = true

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(CronTrigger)
    const {triggerCommand} = await import('../../lib/cron/commands.js')
    return triggerCommand(this.settings, args.name, flags, {json: this.jsonEnabled(), log: text => this.log(text)})
  }
}
