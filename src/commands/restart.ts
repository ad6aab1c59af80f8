import {BaseCommand} from '../lib/base-command.js'
import {herokuAppFlags} from '../lib/heroku/flags.js'
import {Args} from '../lib/oclif.js'
import {info} from '../lib/output.js'

export default class Restart extends BaseCommand {
  static override summary = 'Restart a dyno, every dyno of a process type, or every dyno of the app.'

  static override description = `The Platform API's dyno restart: worker.2 restarts one dyno, worker every worker dyno, and no argument every dyno of the app. The dynos get SIGTERM, then SIGKILL after 30 seconds, and start again with the same release.`

  static override examples = [
    {command: '<%= config.bin %> restart', description: 'Restart every dyno'},
    {command: '<%= config.bin %> restart worker', description: 'Restart the worker dynos'},
    {command: '<%= config.bin %> restart worker.2 --json', description: 'Restart one dyno; print what was restarted'},
  ]

  static override args = {
    target: Args.string({description: 'A dyno name (worker.1) or a process type (worker); default: every dyno'}),
  }

  static override flags = {
    ...herokuAppFlags,
  }

  static override enableJsonFlag = true

  async run(): Promise<{app: string; restarted: string | null; kind: 'dyno' | 'type' | 'all'}> {
    const {args, flags} = await this.parse(Restart)
    const {connectHeroku} = await import('../lib/heroku/session.js')
    const {restartTarget} = await import('../lib/heroku/dynos.js')
    const {api, app} = await connectHeroku(this.settings, {app: flags.app, remote: flags.remote})
    const restarted = await restartTarget(api, app, args.target)
    if (!this.jsonEnabled()) {
      const what = restarted.kind === 'all' ? 'all dynos' : restarted.kind === 'type' ? `all ${args.target} dynos` : args.target
      info(`Restarting ${what} on ${app}.`)
    }
    return {app, restarted: restarted.target ?? null, kind: restarted.kind}
  }
}
