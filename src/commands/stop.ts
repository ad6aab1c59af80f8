import {Args} from '../lib/oclif.js'
import {BaseCommand} from '../lib/base-command.js'
import {herokuAppFlags} from '../lib/heroku/flags.js'
import {info} from '../lib/output.js'

export default class Stop extends BaseCommand {
  static override description = `Stop a dyno (worker.2) or every dyno of a process type (worker).

The dynos get SIGTERM, then SIGKILL after 30 seconds. Formation dynos are started again by the platform (use "qjob scale worker=0" to keep them down); a one-off dyno (run.N) ends.`

  static override examples = [
    {command: '<%= config.bin %> stop run.4312', description: 'End a one-off dyno'},
    {command: '<%= config.bin %> stop worker.2', description: 'Stop one worker (the platform starts it again)'},
    {command: '<%= config.bin %> stop worker --json', description: 'Stop every worker dyno'},
  ]

  static override args = {
    target: Args.string({description: 'A dyno name (worker.1, run.4312) or a process type (worker)', required: true}),
  }

  static override flags = {
    ...herokuAppFlags,
  }

  static override enableJsonFlag = true

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(Stop)
    const {connectHeroku} = await import('../lib/heroku/session.js')
    const {stopTarget} = await import('../lib/heroku/dynos.js')
    const {api, app} = await connectHeroku(this.settings, {app: flags.app, remote: flags.remote})
    const stopped = await stopTarget(api, app, args.target)
    if (!this.jsonEnabled())
      info(stopped.kind === 'dyno' ? `Stopping ${args.target} on ${app}.` : `Stopping all ${args.target} dynos on ${app}.`)
    return {app, stopped: stopped.target, kind: stopped.kind}
  }
}
