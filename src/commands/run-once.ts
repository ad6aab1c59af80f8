import {ExitStatus, OperationError, UsageError} from '../common/errors.js'
import {parseDuration} from '../common/duration.js'
import {info} from '../lib/output.js'
import {Flags} from '../lib/oclif.js'
import {BaseCommand} from '../lib/base-command.js'
import {herokuAppFlags} from '../lib/heroku/flags.js'

export default class RunOnce extends BaseCommand {
  static override description = `Run a command once on a one-off dyno and exit with its exit code.

COMMAND defaults to "worker": a Procfile process type name runs that type's command (e.g. "worker --once"). Put "--" before a command that has options of its own. One argument is run as written (a shell command line); several are quoted one by one.

Attached (the default), the output streams live and stdin is forwarded (its end is the dyno's end of input). On a terminal the dyno gets a terminal too, of the same size: \`qjob run-once -- bash\` is an interactive shell, Ctrl-C goes to the dyno's process (four within a second disconnect); --no-tty turns that off. Without a terminal, Ctrl-C stops the dyno. --detach prints the dyno name and returns; with --wait it then waits until the dyno ends and exits with its exit status.`

  static override usage =
    '<%= command.id %> [-- COMMAND...] [-a APP] [--size SIZE] [--ttl SECONDS] [-e KEY=VALUE]... [--no-tty] [--detach [--wait]]'

  static override examples = [
    {command: '<%= config.bin %> run-once', description: 'Run the worker process type once, attached'},
    {command: '<%= config.bin %> run-once -- node scripts/migrate.js --dry-run', description: 'Any command; qjob exits with its exit code'},
    {
      command: '<%= config.bin %> run-once "worker --once" -e LOG_LEVEL=debug --size standard-2x',
      description: 'One argument is a shell command line; extra config vars; a bigger dyno',
    },
    {command: '<%= config.bin %> run-once -- bash', description: 'An interactive shell on a one-off dyno (on a terminal)'},
    {command: '<%= config.bin %> run-once -- node import.js < data.csv', description: 'stdin reaches the dyno, then EOF'},
    {
      command: '<%= config.bin %> run-once --detach --ttl 1h',
      description: 'Start in the background (stopped after an hour); prints the dyno name',
    },
    {
      command: '<%= config.bin %> run-once --detach --wait -- node report.js',
      description: 'Detached, but wait for the end and exit with its status',
    },
  ]

  static override strict = false

  static override flags = {
    ...herokuAppFlags,
    detach: Flags.boolean({description: 'Run in the background; print the dyno name'}),
    wait: Flags.boolean({description: 'With --detach: wait until the dyno ends; exit with its status'}),
    size: Flags.string({description: 'Dyno size (e.g. standard-2x)'}),
    ttl: Flags.string({
      description: 'Time before the dyno is stopped, e.g. 90s, 10m, 1h (at most 1d; bare numbers are seconds), as send --ttl.',
    }),
    env: Flags.string({char: 'e', description: 'Extra config var for this run, KEY=VALUE (repeatable)', multiple: true}),
    'no-tty': Flags.boolean({description: 'Attached: no terminal for the dyno even when qjob runs on one'}),
  }

  static override enableJsonFlag = true

  async run(): Promise<unknown> {
    const {argv, flags} = await this.parse(RunOnce)
    if (flags.wait && !flags.detach)
      throw new UsageError('--wait goes with --detach', {hint: 'Attached runs always wait; drop --wait or add --detach.'})
    const oneOff = await import('../lib/heroku/one-off.js')
    const timeToLive = flags.ttl === undefined ? undefined : Math.ceil(parseDuration(flags.ttl, '--ttl') / 1000)
    oneOff.checkTimeToLive(timeToLive)
    const command = oneOff.buildCommand(argv as string[])
    const env = oneOff.parseEnvFlags(flags.env ?? [])
    const {connectHeroku} = await import('../lib/heroku/session.js')
    const {api, app} = await connectHeroku(this.settings, {app: flags.app, remote: flags.remote})
    const options = {command, env, size: flags.size, timeToLive}
    const controller = new AbortController()
    const onSigint = () => controller.abort()
    process.once('SIGINT', onSigint)
    try {
      if (!flags.detach) {
        if (this.jsonEnabled()) throw new UsageError('--json needs --detach', {hint: "Attached, the output is the command's own."})
        const onTerminal = process.stdin.isTTY === true && process.stdout.isTTY === true && !flags['no-tty']
        const run = await oneOff.runAttached(api, app, {
          ...options,
          write: text => process.stdout.write(text),
          extraCa: oneOff.extraCaFromDotenv(name => this.settings.envValue(name)),
          signal: controller.signal,
          stdin: process.stdin,
          terminal: onTerminal ? {columns: process.stdout.columns, rows: process.stdout.rows, term: process.env.TERM} : undefined,
          onStart: dyno => info(`Running \`${command}\` on ${app} as ${dyno.name} (${dyno.size ?? 'default size'})…`),
        })
        if (run.interrupted) {
          info(`Stopped ${run.dyno.name}.`)
          throw new ExitStatus(130)
        }
        if (run.exitCode === undefined) {
          throw new OperationError(`${run.dyno.name} ended without reporting its exit status`, {
            hint: `See what happened with "qjob logs -d ${run.dyno.name}".`,
          })
        }
        if (run.exitCode !== 0) throw new ExitStatus(run.exitCode)
        return {name: run.dyno.name, exitCode: 0}
      }
      const dyno = await oneOff.runDetached(api, app, options)
      if (!this.jsonEnabled()) this.log(dyno.name)
      if (!flags.wait) return {name: dyno.name, state: dyno.state}
      if (!this.jsonEnabled()) info(`Waiting for ${dyno.name} to end…`)
      const end = await oneOff.waitForDyno(api, app, dyno.name, {signal: controller.signal})
      if (end.interrupted) throw new ExitStatus(130)
      if (!this.jsonEnabled())
        info(
          end.exitCode === undefined
            ? `${dyno.name} ended (exit status not reported).`
            : `${dyno.name} exited with status ${end.exitCode}.`,
        )
      const result = {name: dyno.name, exitCode: end.exitCode ?? null}
      if (end.exitCode !== undefined && end.exitCode !== 0) {
        // The JSON still goes out, then qjob exits with the dyno's status.
        if (this.jsonEnabled()) this.logJson(result)
        throw new ExitStatus(end.exitCode)
      }
      return result
    } finally {
      process.off('SIGINT', onSigint)
    }
  }
}
