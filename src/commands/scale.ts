import {parseDuration} from '../common/duration.js'
import {BaseCommand} from '../lib/base-command.js'
import {herokuAppFlags} from '../lib/heroku/flags.js'
import {info} from '../lib/output.js'
import {Flags} from '../lib/oclif.js'

export default class Scale extends BaseCommand {
  static override description = `Scale dynos in one formation update, or show the formation.

Arguments: TYPE=N (absolute), TYPE=N:SIZE (with a dyno size), TYPE:SIZE (the size only, as "heroku ps:type" does), TYPE+N and TYPE-N (relative). Every argument must parse: one that does not is an error naming it (exit 2) and nothing is sent.

With no argument, the formation table is followed by one line of arguments that can be fed back in (web=1:Basic worker=2:Standard-1X).

With --wait, qjob waits until the scaled process types have exactly that many dynos, all up (and still up a second later); a crashed dyno is an error (exit 1) naming it.

--json prints the formation after the update: type, quantity, size, command.`

  static override usage = '<%= command.id %> [TYPE=N[:SIZE] | TYPE:SIZE | TYPE+N | TYPE-N]... [-a APP | -r REMOTE] [--wait] [--json]'

  static override examples = [
    {command: '<%= config.bin %> scale', description: 'Show the formation'},
    {command: '<%= config.bin %> scale worker=2', description: 'Run two worker dynos'},
    {
      command: '<%= config.bin %> scale worker=3:standard-2x web=1 --wait',
      description: 'Several types in one update, then wait until they are up',
    },
    {command: '<%= config.bin %> scale worker+1', description: 'One more worker'},
    {command: '<%= config.bin %> scale worker:standard-2x', description: 'Change the size only, keep the quantity'},
    {command: '<%= config.bin %> scale worker=0 --json', description: 'Stop all workers; print the formation as JSON'},
  ]

  static override strict = false

  static override args = {}

  static override flags = {
    ...herokuAppFlags,
    wait: Flags.boolean({description: 'Wait until the scaled dynos are up (or gone)'}),
    'wait-timeout': Flags.string({description: 'How long to wait with --wait, e.g. 90s, 5m (bare numbers are seconds).', default: '5m'}),
  }

  static override enableJsonFlag = true

  async run(): Promise<unknown> {
    const {argv, flags} = await this.parse(Scale)
    const {describeFormation, formationArgs, parseScaleArgs} = await import('../lib/heroku/scale-grammar.js')
    // Grammar first: a bad argument fails before any token, app or network is touched.
    const changes = parseScaleArgs(argv as string[])
    const waitTimeoutMs = parseDuration(flags['wait-timeout'], '--wait-timeout')
    const {connectHeroku} = await import('../lib/heroku/session.js')
    const {listFormation, scaleFormation, waitForFormation} = await import('../lib/heroku/formation.js')
    const {formatFormation, formationJson} = await import('../lib/heroku/format.js')
    const {api, app} = await connectHeroku(this.settings, {app: flags.app, remote: flags.remote})

    if (changes.length === 0) {
      const formation = await listFormation(api, app)
      if (!this.jsonEnabled()) {
        this.log(formatFormation(formation))
        if (formation.length > 0) this.log(formationArgs(formation))
      }
      return formation.map(formationJson)
    }

    const {updates, formation} = await scaleFormation(api, app, changes)
    const scaled = formation.filter(entry => updates.some(update => update.type === entry.type))
    if (!this.jsonEnabled()) info(`Scaled ${app}: ${scaled.map(describeFormation).join(', ')}`)
    if (!flags.wait) {
      if (!this.jsonEnabled()) this.log(formatFormation(formation))
      return formation.map(formationJson)
    }
    if (!this.jsonEnabled()) info('Waiting for the dynos…')
    const dynos = await waitForFormation(api, app, updates, {timeoutMs: waitTimeoutMs})
    if (!this.jsonEnabled()) {
      this.log(formatFormation(formation))
      info(dynos.length === 0 ? 'The scaled dynos have stopped.' : `All ${dynos.length} dyno${dynos.length === 1 ? '' : 's'} up.`)
    }
    return formation.map(formationJson)
  }
}
