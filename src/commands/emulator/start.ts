import {BaseCommand} from '../../lib/base-command.js'
import {Flags} from '../../lib/oclif.js'

export default class EmulatorStart extends BaseCommand {
  static override description = `Start the local Service Bus emulator (and Heroku API).

The unmodified @azure/service-bus SDK works against it (AMQP on 127.0.0.1, real SAS checks, peek-lock, dead-lettering, messages kept on disk). It runs in the background unless --foreground is given; \`qjob emulator env\` prints the settings to export, \`qjob emulator stop\` stops it. When the current directory (or --app-dir) has a Procfile, a local Heroku Platform API runs that app: \`qjob scale worker=2\` starts real processes. Without --config the namespace has one policy, RootManageSharedAccessKey, whose key is created once and kept in the data directory. A config file declares policies and queues:
  {"queues": [{"name": "jobs", "lockDuration": "PT30S", "maxDeliveryCount": 5}]} Microsoft's Service Bus emulator Config.json works as it is (UserConfig.Namespaces[].Queues[] with their Properties; Logging is ignored). Its topics are not supported yet: start warns, naming them, and serves the queues.`

  static override examples = [
    {command: '<%= config.bin %> emulator start', description: 'Start in the background on port 5672'},
    {command: '<%= config.bin %> emulator start --config emulator.json --port 0', description: 'Queues from a file, on a free port'},
    {command: '<%= config.bin %> emulator start --foreground --in-memory', description: 'In this terminal until Ctrl-C; nothing kept'},
    {command: '<%= config.bin %> emulator start --config Config.json', description: "Microsoft's emulator config file, as it is"},
  ]

  static override flags = {
    port: Flags.integer({description: 'AMQP port (0 picks a free one)', default: 5672, min: 0, max: 65_535}),
    'data-dir': Flags.string({description: 'Where messages, keys, the log and the state file live (default: <qjob data dir>/emulator)'}),
    config: Flags.string({description: "JSON file with policies and queues (qjob's format or Microsoft's emulator Config.json)"}),
    'in-memory': Flags.boolean({description: 'Keep messages in memory only'}),
    foreground: Flags.boolean({description: 'Run in this process until SIGINT/SIGTERM'}),
    'app-dir': Flags.string({description: 'The Heroku app: a directory with a Procfile (default: the current directory, if it has one)'}),
    'heroku-port': Flags.integer({description: 'Port of the local Heroku API (default: a free one)', min: 0, max: 65_535}),
    'reset-keys': Flags.boolean({
      description: 'Make a new namespace key (saved connection strings stop working); needed when namespace.json is damaged',
    }),
  }

  static override enableJsonFlag = true

  async run(): Promise<unknown> {
    const {flags} = await this.parse(EmulatorStart)
    const {configWarnings, emulatorDataDir, runForeground, startBackground, startedSummary} = await import('../../lib/emulator/commands.js')
    const {warn} = await import('../../lib/output.js')
    const dataDir = emulatorDataDir(this.config.dataDir, flags['data-dir'])
    const options = {
      dataDir,
      port: flags.port,
      inMemory: flags['in-memory'],
      configFile: flags.config,
      appDir: flags['app-dir'] ?? process.cwd(),
      appDirExplicit: flags['app-dir'] !== undefined,
      herokuPort: flags['heroku-port'],
      resetKeys: flags['reset-keys'],
    }
    if (flags.foreground) {
      await runForeground(options, state => {
        if (!this.jsonEnabled()) this.log(startedSummary(state, {foreground: true, dataDirFlag: flags['data-dir']}))
      })
      return undefined
    }
    // In the foreground the emulator logs these itself; in the background its log is a file.
    const warnings = await configWarnings(flags.config)
    for (const message of warnings) warn(message)
    const state = await startBackground({...options, entryScript: process.argv[1]})
    if (!this.jsonEnabled()) this.log(startedSummary(state, {foreground: false, dataDirFlag: flags['data-dir']}))
    return {pid: state.pid, dataDir: state.dataDir, logFile: state.logFile, inMemory: state.inMemory, services: state.services, warnings}
  }
}
