import {BaseCommand} from '../../lib/base-command.js'
import {Flags} from '../../lib/oclif.js'

export default class EmulatorStop extends BaseCommand {
  static override description = `Stop the local emulator started with \`qjob emulator start\`.

Messages are kept on disk (unless it ran with --in-memory) and are there at the next start. Stopping an emulator that is not running is not an error. One that ignores SIGTERM for 10 s is killed (SIGKILL), said on stderr, and the exit code is 1.`

  static override examples = [
    {command: '<%= config.bin %> emulator stop', description: 'Stop the emulator of the default data directory'},
    {command: '<%= config.bin %> emulator stop --data-dir ./tmp/emulator', description: 'Stop the one using another data directory'},
  ]

  static override flags = {
    'data-dir': Flags.string({description: 'The data directory it was started with (default: <qjob data dir>/emulator)'}),
  }

  static override enableJsonFlag = true

  async run(): Promise<{stopped: boolean; pid?: number; forced?: boolean}> {
    const {flags} = await this.parse(EmulatorStop)
    const {emulatorDataDir} = await import('../../lib/emulator/commands.js')
    const {stopEmulator} = await import('../../lib/emulator/background.js')
    let forced = false
    const state = await stopEmulator(emulatorDataDir(this.config.dataDir, flags['data-dir']), () => (forced = true))
    if (forced && state) {
      process.stderr.write(`Error: the emulator (pid ${state.pid}) did not stop on SIGTERM within 10 s and was killed with SIGKILL\n`)
      process.exitCode = 1
    }
    if (!this.jsonEnabled())
      this.log(state ? `Stopped the emulator (pid ${state.pid})${forced ? ' with SIGKILL' : ''}.` : 'The emulator is not running.')
    return state ? {stopped: true, pid: state.pid, forced} : {stopped: false}
  }
}
