import {BaseCommand} from '../../lib/base-command.js'
import {confirmOrYes, yesFlag} from '../../lib/confirm.js'
import {Flags} from '../../lib/oclif.js'

export default class EmulatorReset extends BaseCommand {
  static override description = `Empty the running local emulator's queues between tests, keeping the queues, their settings and the policies.

Removes active, scheduled, deferred and dead-lettered messages, sessions and their state, duplicate-detection history and message locks, in milliseconds; on disk too, so a restart stays empty. Clients that stay connected keep working (a lock taken before the reset is lost). Sequence numbers keep counting up. Asks first on a terminal; needs --yes elsewhere. Exits with 3 when the emulator is not running or --queue names no queue.`

  static override examples = [
    {command: '<%= config.bin %> emulator reset --yes', description: 'Empty every queue (in a test script)'},
    {
      command: '<%= config.bin %> emulator reset --queue jobs --yes',
      description: 'Empty one queue\n  Emptied 1 queue (settings and policies kept):\n    jobs: removed 12 active, 1 dead-lettered',
    },
    {command: '<%= config.bin %> emulator reset --yes --json | jq ".queues[].name"', description: 'What was emptied, for scripts'},
  ]

  static override flags = {
    queue: Flags.string({char: 'q', description: 'Empty only this queue'}),
    ...yesFlag,
    'data-dir': Flags.string({description: 'The data directory it was started with (default: <qjob data dir>/emulator)'}),
  }

  static override enableJsonFlag = true

  async run(): Promise<unknown> {
    const {flags} = await this.parse(EmulatorReset)
    const {emulatorDataDir, formatReset, resetEmulator, resetJson} = await import('../../lib/emulator/commands.js')
    const what = flags.queue ? `every message of queue ${flags.queue}` : 'every message of every queue'
    if (!(await confirmOrYes(`Remove ${what} in the local emulator?`, flags.yes))) {
      this.log('Nothing removed.')
      return {queues: []}
    }
    const result = await resetEmulator(emulatorDataDir(this.config.dataDir, flags['data-dir']), flags.queue)
    if (!this.jsonEnabled()) this.log(formatReset(result))
    return resetJson(result)
  }
}
