import {BaseCommand} from '../lib/base-command.js'
import {Args} from '../lib/oclif.js'

export default class Autocomplete extends BaseCommand {
  static override summary = 'Print a shell completion script for bash, zsh or fish.'

  static override description = `The script completes commands, topics and flags, and after -q/--queue the queue names the last "qjob queue list" saw; it holds the whole command tree, so a TAB does not start qjob. Without SHELL, the shell of $SHELL. Any other shell is an error naming the supported ones (exit 2).`

  static override examples = [
    {command: '<%= config.bin %> autocomplete bash >> ~/.bashrc', description: 'bash: add completion to every new shell'},
    {command: '<%= config.bin %> autocomplete zsh > "${fpath[1]}/_qjob"', description: 'zsh: install as a completion function'},
    {command: '<%= config.bin %> autocomplete fish > ~/.config/fish/completions/qjob.fish', description: 'fish'},
  ]

  /** It reads the whole command tree from oclif's Config. */
  static override needsOclifConfig = true

  static override args = {
    shell: Args.string({description: 'bash, zsh or fish (default: the shell of $SHELL)'}),
  }

  async run(): Promise<void> {
    const {args} = await this.parse(Autocomplete)
    const {assertShell, completionScript, completionTree} = await import('../lib/completion.js')
    const {queueNamesFile} = await import('../lib/completion-cache.js')
    const fromEnv = process.env.SHELL?.split(/[/\\]/).at(-1)
    const shell = assertShell(args.shell ?? fromEnv)
    process.stdout.write(
      completionScript(shell, this.config.bin, completionTree(this.config.commands), queueNamesFile(this.config.cacheDir)),
    )
  }
}
