import {BaseCommand} from '../lib/base-command.js'
import {appFlag} from '../lib/heroku/flags.js'
import {Args} from '../lib/oclif.js'

export default class Ps extends BaseCommand {
  static override description = `List the app's dynos by process type.

Each dyno with its state, size, age and command.

States: starting, up, crashed, down, idle. One-off dynos (run.N) are listed last.`

  static override examples = [
    {command: '<%= config.bin %> ps', description: 'All dynos'},
    {command: '<%= config.bin %> ps worker', description: 'Only worker dynos'},
    {command: '<%= config.bin %> ps --json | jq -r ".[] | select(.state == \\"crashed\\") | .name"', description: 'Names of crashed dynos'},
  ]

  static override args = {
    type: Args.string({description: 'Only this process type (e.g. worker)'}),
  }

  static override flags = {
    app: appFlag,
  }

  static override enableJsonFlag = true

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(Ps)
    const {connectHeroku} = await import('../lib/heroku/session.js')
    const {listDynos} = await import('../lib/heroku/dynos.js')
    const {dynoJson, formatDynos} = await import('../lib/heroku/format.js')
    const {api, app} = await connectHeroku(this.settings, {app: flags.app})
    const dynos = await listDynos(api, app, args.type)
    if (!this.jsonEnabled()) this.log(dynos.length === 0 && args.type ? `No ${args.type} dynos.` : formatDynos(dynos))
    return dynos.map(dynoJson)
  }
}
