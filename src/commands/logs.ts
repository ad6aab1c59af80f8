import {ndjsonFlag} from '../lib/event-flags.js'
import {printNdjson} from '../lib/output.js'
import {Flags} from '../lib/oclif.js'
import {BaseCommand} from '../lib/base-command.js'
import {herokuAppFlags} from '../lib/heroku/flags.js'

export default class Logs extends BaseCommand {
  static override description = `Show the app's logs: the latest lines, or follow them with --tail.

The lines come through a log session; with --tail everything new follows until Ctrl-C.

Lines read TIMESTAMP SOURCE[DYNO]: MESSAGE, where SOURCE is "app" (the dyno's output) or "heroku" (the platform: starts, stops, exit statuses).`

  static override examples = [
    {command: '<%= config.bin %> logs', description: 'The last 100 lines'},
    {command: '<%= config.bin %> logs -p worker -t', description: 'Follow the worker dynos'},
    {command: '<%= config.bin %> logs -d worker.2 -n 500', description: 'The last 500 lines of one dyno'},
    {command: '<%= config.bin %> logs -s heroku --ndjson', description: 'Platform events, one JSON object a line'},
    {command: '<%= config.bin %> logs -t --json | jq -r .message', description: 'Follow; --json is an alias of --ndjson'},
  ]

  static override flags = {
    ...herokuAppFlags,
    'process-type': Flags.string({char: 'p', description: 'Only this process type (e.g. worker)', exclusive: ['dyno']}),
    dyno: Flags.string({char: 'd', description: 'Only this dyno (e.g. worker.1)'}),
    max: Flags.integer({
      char: 'n',
      description: 'How many recent lines, at most (--num is an alias, as in the Heroku CLI).',
      aliases: ['num'],
      default: 100,
      min: 0,
      max: 1500,
    }),
    tail: Flags.boolean({char: 't', description: 'Keep streaming new lines'}),
    source: Flags.string({char: 's', description: 'Only this source: app or heroku', options: ['app', 'heroku']}),
    ndjson: ndjsonFlag('One JSON object a line: timestamp, source, dyno, message'),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Logs)
    const {connectHeroku} = await import('../lib/heroku/session.js')
    const {openLogStream, parseLogLine, readLines} = await import('../lib/heroku/logs.js')
    const {api, app} = await connectHeroku(this.settings, {app: flags.app, remote: flags.remote})
    const stream = await openLogStream(api, app, {
      dynoName: flags.dyno,
      type: flags['process-type'],
      source: flags.source,
      lines: flags.max,
      tail: flags.tail,
    })
    for await (const line of readLines(stream)) {
      if (flags.ndjson) printNdjson(parseLogLine(line) ?? {message: line})
      else this.log(line)
    }
  }
}
