import {Args, Flags} from '../../../lib/oclif.js'

import {NotFoundError} from '../../../common/errors.js'
import {BaseCommand} from '../../../lib/base-command.js'
import {herokuAppFlags} from '../../../lib/heroku/flags.js'

export default class AppConfigGet extends BaseCommand {
  static override description = 'Print one config var of the Heroku app (masked if secret, unless --reveal). Exit 3 when it is not set.'

  static override examples = [
    {command: '<%= config.bin %> app config get QUEUE_NAME --app my-app', description: 'The queue the app is attached to'},
    {command: '<%= config.bin %> app config get SERVICEBUS_CONNECTION_STRING --reveal', description: 'A secret, shown'},
  ]

  static override args = {name: Args.string({description: 'Config var name', required: true})}

  static override flags = {
    ...herokuAppFlags,
    reveal: Flags.boolean({description: 'Show a secret value'}),
  }

  static override enableJsonFlag = true

  async run(): Promise<{name: string; value: string}> {
    const {args, flags} = await this.parse(AppConfigGet)
    const {connectHeroku} = await import('../../../lib/heroku/session.js')
    const {displayValue, getConfigVars} = await import('../../../lib/heroku/config-vars.js')
    const {api, app} = await connectHeroku(this.settings, {app: flags.app, remote: flags.remote})
    const vars = await getConfigVars(api, app)
    if (!(args.name in vars))
      throw new NotFoundError(`${app} has no config var ${args.name}`, {hint: `List them with "qjob app config --app ${app}".`})
    const value = displayValue(args.name, vars[args.name], flags.reveal)
    // Written directly: a value asked for with --reveal must not be masked on the way out.
    if (!this.jsonEnabled()) process.stdout.write(`${value}\n`)
    return {name: args.name, value}
  }
}
