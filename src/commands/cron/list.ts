import {BaseCommand} from '../../lib/base-command.js'
import {cronFlags, ndjsonFlag} from '../../lib/cron/flags.js'

export default class CronList extends BaseCommand {
  static override summary = 'List the schedules: next run and last outcome.'

  static override description =
    'The last outcome is ok (with the dyno of a run-once, and its state from dyno info: up, crashed, ended once gone), skipped, missed, failed or interrupted, with the reason.'

  static override examples = [
    {command: '<%= config.bin %> cron list', description: 'NAME  SCHEDULE  ACTION  NEXT RUN  LAST OUTCOME'},
    {command: '<%= config.bin %> cron list --json | jq -r ".[] | [.name, .nextRun] | @tsv"', description: 'Names and next runs'},
  ]

  static override flags = {...ndjsonFlag, ...cronFlags}

  static override enableJsonFlag = true

  async run(): Promise<unknown> {
    const {flags} = await this.parse(CronList)
    const {listCommand} = await import('../../lib/cron/commands.js')
    return listCommand(this.settings, flags, {json: this.jsonEnabled(), log: text => this.log(text)})
  }
}
