import {BaseCommand} from '../../lib/base-command.js'
import {cronFlags, ndjsonFlag} from '../../lib/cron/flags.js'
import {Args} from '../../lib/oclif.js'

export default class CronResume extends BaseCommand {
  static override summary = 'Resume a paused schedule from its next fire time.'

  static override description = 'Resumes from the next fire time after now: the windows missed while paused are not run.'

  static override examples = [
    {command: '<%= config.bin %> cron resume report', description: 'Resume a paused schedule from its next fire time.'},
  ]

  static override args = {name: Args.string({description: 'Schedule name', required: true})}

  static override flags = {...ndjsonFlag, ...cronFlags}

  static override enableJsonFlag = true

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(CronResume)
    const {resumeCommand} = await import('../../lib/cron/commands.js')
    return resumeCommand(this.settings, args.name, flags, {json: this.jsonEnabled(), log: text => this.log(text)})
  }
}
