import {Args, Flags} from '../../../lib/oclif.js'

import {BaseCommand} from '../../../lib/base-command.js'
import {appFlag} from '../../../lib/heroku/flags.js'
import {info} from '../../../lib/output.js'

export default class AppConfigSet extends BaseCommand {
  static override description = `Set config vars on the Heroku app: a new release, the dynos restart with them.

Values are never printed back (secrets stay out of logs); --reveal shows what was set.`

  static override examples = [
    {command: '<%= config.bin %> app config set QUEUE_NAME=jobs --app my-app', description: 'Point the workers at another queue'},
    {command: '<%= config.bin %> app config set LOG_LEVEL=debug BATCH_SIZE=10', description: 'Several at once (one release)'},
  ]

  static override strict = false
  static override args = {assignment: Args.string({description: 'KEY=VALUE (one or more)', required: true})}

  static override flags = {
    app: appFlag,
    reveal: Flags.boolean({description: 'Show the values set'}),
  }

  static override enableJsonFlag = true

  async run(): Promise<Record<string, string>> {
    const {argv, flags} = await this.parse(AppConfigSet)
    const {connectHeroku} = await import('../../../lib/heroku/session.js')
    const {displayValue, parseAssignments, updateConfigVars} = await import('../../../lib/heroku/config-vars.js')
    const changes = parseAssignments(argv as string[])
    const {api, app} = await connectHeroku(this.settings, {app: flags.app})
    await updateConfigVars(api, app, changes)
    const shown = Object.fromEntries(Object.entries(changes).map(([name, value]) => [name, displayValue(name, value, flags.reveal)]))
    if (!this.jsonEnabled()) info(`Set ${Object.keys(changes).join(', ')} on ${app}; its dynos restart.`)
    return shown
  }
}
