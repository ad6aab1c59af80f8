import {Flags} from '../../../lib/oclif.js'

import {BaseCommand} from '../../../lib/base-command.js'
import {herokuAppFlags} from '../../../lib/heroku/flags.js'

export default class AppConfig extends BaseCommand {
  static override description = `List the Heroku app's config vars; secrets masked unless --reveal.

A value is masked when its name says it is secret (…KEY, …TOKEN, …SECRET, …PASSWORD, …URL, …CONNECTION_STRING) or it looks like a credential; a connection string keeps its endpoint and loses its key.`

  static override examples = [
    {command: '<%= config.bin %> app config --app my-app', description: 'Every config var, secrets masked'},
    {command: '<%= config.bin %> app config --app my-app --reveal --json', description: 'With the secrets, as JSON'},
  ]

  static override flags = {
    ...herokuAppFlags,
    reveal: Flags.boolean({description: 'Show secret values'}),
  }

  static override enableJsonFlag = true

  async run(): Promise<Record<string, string>> {
    const {flags} = await this.parse(AppConfig)
    const {connectHeroku} = await import('../../../lib/heroku/session.js')
    const {displayValue, getConfigVars} = await import('../../../lib/heroku/config-vars.js')
    const {api, app} = await connectHeroku(this.settings, {app: flags.app, remote: flags.remote})
    const vars = await getConfigVars(api, app)
    const shown = Object.fromEntries(
      Object.keys(vars)
        .sort()
        .map(name => [name, displayValue(name, vars[name], flags.reveal)]),
    )
    if (!this.jsonEnabled()) {
      const width = Math.max(0, ...Object.keys(shown).map(name => name.length))
      this.log(
        Object.keys(shown).length === 0
          ? `${app} has no config vars.`
          : Object.entries(shown)
              .map(([name, value]) => `${`${name}:`.padEnd(width + 1)} ${value}`)
              .join('\n'),
      )
    }
    return shown
  }
}
