import {BaseCommand} from '../../lib/base-command.js'
import {cronFlags, ndjsonFlag} from '../../lib/cron/flags.js'
import {Args} from '../../lib/oclif.js'

export default class CronShow extends BaseCommand {
  static override summary = 'Show a schedule and its last 20 outcomes.'

  static override description =
    'The schedule (expression, action, overlap policy, next run, app) and its last 20 outcomes, newest first: ok (with the run-once dyno or the sent message id), skipped, missed, failed or interrupted, with the reason. Triggered runs are marked.'

  static override examples = [
    {command: '<%= config.bin %> cron show report', description: 'The schedule and its last 20 outcomes'},
    {command: '<%= config.bin %> cron show report --json | jq ".history[-1]"', description: 'The last outcome as JSON'},
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
