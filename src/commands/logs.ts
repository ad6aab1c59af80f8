import {UsageError} from '../common/errors.js'
import {printNdjson} from '../lib/output.js'
import {Flags} from '../lib/oclif.js'
import {BaseCommand} from '../lib/base-command.js'
import {appFlag} from '../lib/heroku/flags.js'

export default class Logs extends BaseCommand {
  static override description = `Show the app's logs: the latest lines, or follow them with --tail.

The lines come through a log session; with --tail everything new follows until Ctrl-C.

Lines read TIMESTAMP SOURCE[DYNO]: MESSAGE, where SOURCE is "app" (the dyno's output) or "heroku" (the platform: starts, stops, exit statuses).`

  static override examples = [
    {command: '<%= config.bin %> logs', description: 'The last 100 lines'},
    {command: '<%= config.bin %> logs -p worker -t', description: 'Follow the worker dynos'},
    {command: '<%= config.bin %> logs -d worker.2 -n 500', description: 'The last 500 lines of one dyno'},
    {command: '<%= config.bin %> logs -s heroku --json', description: 'Platform events as JSON'},
    {command: '<%= config.bin %> logs -t --ndjson | jq -r .message', description: 'Follow, one JSON object a line'},
  ]

  static override flags = {
    app: appFlag,
    'process-type': Flags.string({char: 'p', description: 'Only this process type (e.g. worker)', exclusive: ['dyno']}),
    dyno: Flags.string({char: 'd', description: 'Only this dyno (e.g. worker.1)'}),
    num: Flags.integer({char: 'n', description: 'How many recent lines', default: 100, min: 0, max: 1500}),
    tail: Flags.boolean({char: 't', description: 'Keep streaming new lines'}),
    source: Flags.string({char: 's', description: 'Only this source: app or heroku', options: ['app', 'heroku']}),
    ndjson: Flags.boolean({description: 'One JSON object a line (timestamp, source, dyno, message)'}),
  }

  static override enableJsonFlag = true

  async run(): Promise<unknown> {
    const {flags} = await this.parse(Logs)
    if (this.jsonEnabled() && flags.tail) throw new UsageError('--json cannot follow a stream', {hint: 'Use --ndjson with --tail.'})
    const {connectHeroku} = await import('../lib/heroku/session.js')
    const {openLogStream, parseLogLine, readLines} = await import('../lib/heroku/logs.js')
    const {api, app} = await connectHeroku(this.settings, {app: flags.app})
    const stream = await openLogStream(api, app, {
      dynoName: flags.dyno,
      type: flags['process-type'],
      source: flags.source,
      lines: flags.num,
      tail: flags.tail,
    })
    const collected: unknown[] = []
    for await (const line of readLines(stream)) {
      if (this.jsonEnabled()) collected.push(parseLogLine(line) ?? {message: line})
      else if (flags.ndjson) printNdjson(parseLogLine(line) ?? {message: line})
      else this.log(line)
    }
    return collected
  }
}
