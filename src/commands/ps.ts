import {BaseCommand} from '../lib/base-command.js'
import {herokuAppFlags} from '../lib/heroku/flags.js'

export default class Ps extends BaseCommand {
  static override summary = "List the app's dynos by process type."

  static override description = `Each dyno with its state, size, age and command. Give one or more process types to list only those.

States: starting, up, crashed, down, idle. One-off dynos (run.N) are listed last.`

  static override usage = '<%= command.id %> [TYPE...] [-a APP | -r REMOTE] [--json]'

  static override examples = [
    {command: '<%= config.bin %> ps', description: 'All dynos'},
    {command: '<%= config.bin %> ps worker web', description: 'Only worker and web dynos'},
    {command: '<%= config.bin %> ps -r staging', description: 'The app of the git remote "staging"'},
    {command: '<%= config.bin %> ps --json | jq -r ".[] | select(.state == \\"crashed\\") | .name"', description: 'Names of crashed dynos'},
  ]

  static override strict = false

  static override flags = {
    ...herokuAppFlags,
  }

  static override enableJsonFlag = true

  async run(): Promise<unknown> {
    const {argv, flags} = await this.parse(Ps)
    const types = argv as string[]
    const {connectHeroku} = await import('../lib/heroku/session.js')
    const {listDynos} = await import('../lib/heroku/dynos.js')
    const {dynoJson, formatDynos} = await import('../lib/heroku/format.js')
    const {api, app} = await connectHeroku(this.settings, {app: flags.app, remote: flags.remote})
    const dynos = await listDynos(api, app, types)
    if (!this.jsonEnabled()) this.log(dynos.length === 0 && types.length > 0 ? `No ${types.join(' or ')} dynos.` : formatDynos(dynos))
    return dynos.map(dynoJson)
  }
}
