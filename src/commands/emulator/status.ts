import {BaseCommand} from '../../lib/base-command.js'
import {Flags} from '../../lib/oclif.js'

export default class EmulatorStatus extends BaseCommand {
  static override description = `Show whether the local emulator runs: pid, ports, and each queue with its message counts.

Exits with 3 when it is not running.`

  static override examples = [
    {command: '<%= config.bin %> emulator status', description: 'Pid, endpoint and queues with counts'},
    {command: '<%= config.bin %> emulator status --json | jq ".services.servicebus.queues"', description: 'Counts for scripts'},
  ]

  static override flags = {
    'data-dir': Flags.string({description: 'The data directory it was started with (default: <qjob data dir>/emulator)'}),
  }

  static override enableJsonFlag = true

  async run(): Promise<unknown> {
    const {flags} = await this.parse(EmulatorStatus)
    const {emulatorDataDir, emulatorStatus, formatStatus, statusJson} = await import('../../lib/emulator/commands.js')
    const status = await emulatorStatus(emulatorDataDir(this.config.dataDir, flags['data-dir']))
    if (!this.jsonEnabled()) this.log(formatStatus(status))
    return statusJson(status)
  }
}
