import {BaseCommand} from '../../lib/base-command.js'
import {Flags} from '../../lib/oclif.js'

export default class EmulatorEnv extends BaseCommand {
  static override description = `Print the settings that point qjob and the Azure SDK at the running local emulator.

One \`export NAME=value\` line per setting, ready for \`eval\`, or a JSON object with --json: SERVICEBUS_CONNECTION_STRING (with its key), NODE_EXTRA_CA_CERTS (the emulator's certificate, for the admin client and the Heroku rendezvous) and, when the Heroku API runs, HEROKU_API_URL, HEROKU_API_KEY and HEROKU_APP. --arm adds the Azure Resource Manager settings. This is the one command that prints the keys.`

  static override examples = [
    {
      command: '<%= config.bin %> emulator env',
      description: 'The export lines; use the emulator in this shell with eval "$(qjob emulator env)"',
    },
    {command: '<%= config.bin %> emulator env >> .env', description: 'Keep the settings in a .env file'},
    {command: '<%= config.bin %> emulator env --json | jq -r .SERVICEBUS_CONNECTION_STRING', description: 'Just the connection string'},
  ]

  static override flags = {
    'data-dir': Flags.string({description: 'The data directory it was started with (default: <qjob data dir>/emulator)'}),
    arm: Flags.boolean({description: 'Also print the settings that send the queue commands through the ARM backend'}),
  }

  static override enableJsonFlag = true

  async run(): Promise<Record<string, string>> {
    const {flags} = await this.parse(EmulatorEnv)
    const {emulatorDataDir, emulatorEnv, exportLines} = await import('../../lib/emulator/commands.js')
    const env = emulatorEnv(emulatorDataDir(this.config.dataDir, flags['data-dir']), {arm: flags.arm})
    // Written straight to stdout: this.log would go through nothing else, but be explicit that
    // these lines carry the key on purpose (the user asked for them).
    if (!this.jsonEnabled()) process.stdout.write(exportLines(env))
    return env
  }
}
