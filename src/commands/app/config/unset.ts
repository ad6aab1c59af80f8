import {Args} from '../../../lib/oclif.js'

import {BaseCommand} from '../../../lib/base-command.js'
import {appFlag} from '../../../lib/heroku/flags.js'
import {info} from '../../../lib/output.js'

export default class AppConfigUnset extends BaseCommand {
  static override description = 'Remove config vars from the Heroku app: a new release, the dynos restart without them.'

  static override examples = [
    {command: '<%= config.bin %> app config unset LOG_LEVEL --app my-app', description: 'Back to the default log level'},
  ]

  static override strict = false
  static override args = {name: Args.string({description: 'Config var name (one or more)', required: true})}

  static override flags = {app: appFlag}

  static override enableJsonFlag = true

  async run(): Promise<{app: string; removed: string[]}> {
    const {argv, flags} = await this.parse(AppConfigUnset)
    const names = argv as string[]
    const {connectHeroku} = await import('../../../lib/heroku/session.js')
    const {updateConfigVars} = await import('../../../lib/heroku/config-vars.js')
    const {api, app} = await connectHeroku(this.settings, {app: flags.app})
    await updateConfigVars(api, app, Object.fromEntries(names.map(name => [name, null])))
    if (!this.jsonEnabled()) info(`Removed ${names.join(', ')} from ${app}; its dynos restart.`)
    return {app, removed: names}
  }
}
