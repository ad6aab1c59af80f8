// What a qjob command reads of oclif's Config, made from dist/command-index.json instead of loading
// plugins and manifests: the names and directories (by oclif's rules, so QJOB_CONFIG_DIR and the
// XDG variables mean the same), the scoped environment variables, the command lookup oclif's
// Command uses for its deprecation check, and hooks (none run: the build refuses any but
// command_not_found, which only a command that was not found runs). A command that needs more of
// Config (the command tree, plugins) sets `needsOclifConfig` and runs through oclif.
// test/cli/dispatch.test.ts compares every value here with oclif's own Config.
import {homedir, platform, tmpdir} from 'node:os'
import {join} from 'node:path'

import {oclifArch, userAgent} from './user-agent.js'

export interface IndexedCommand {
  /** The module, relative to the package root; none for a plugin's command (help, version). */
  file?: string
  strict: boolean
  args: string[]
}

export interface CommandIndex {
  name: string
  version: string
  bin: string
  dirname: string
  helpFlags: string[]
  versionFlags: string[]
  commands: Record<string, IndexedCommand>
}

export class ManifestConfig {
  readonly name: string
  readonly version: string
  readonly bin: string
  readonly dirname: string
  readonly platform = platform()
  readonly arch = oclifArch()
  readonly windows = false
  readonly topicSeparator = ' '
  readonly flexibleTaxonomy = false
  readonly isSingleCommandCLI = false
  readonly theme = undefined
  readonly commandIDs: string[]
  readonly home = process.env.HOME || homedir() || tmpdir()
  readonly configDir: string
  readonly cacheDir: string
  readonly dataDir: string
  readonly #commands: Record<string, IndexedCommand>

  constructor(index: CommandIndex) {
    this.name = index.name
    this.version = index.version
    this.bin = index.bin
    this.dirname = index.dirname
    this.#commands = index.commands
    this.commandIDs = Object.keys(index.commands)
    const macosCache = this.platform === 'darwin' ? join(this.home, 'Library', 'Caches', this.dirname) : undefined
    this.cacheDir = this.scopedEnvVar('CACHE_DIR') || macosCache || this.dir('cache')
    this.configDir = this.scopedEnvVar('CONFIG_DIR') || this.dir('config')
    this.dataDir = this.scopedEnvVar('DATA_DIR') || this.dir('data')
  }

  get userAgent(): string {
    return userAgent(this.name, this.version)
  }

  findCommand(id: string): {id: string; strict: boolean; args: Record<string, unknown>} | undefined {
    const command = this.#commands[id]
    return command && {id, strict: command.strict, args: Object.fromEntries(command.args.map(name => [name, {name}]))}
  }

  async runHook(): Promise<{successes: []; failures: []}> {
    return {successes: [], failures: []}
  }

  /** QJOB_<KEY>, when set to something (as oclif: empty is unset). */
  scopedEnvVar(key: string): string | undefined {
    return process.env[this.scopedEnvVarKey(key)] || undefined
  }

  scopedEnvVarKey(key: string): string {
    return `${this.bin.replaceAll('@', '').replaceAll(/[/-]/g, '_')}_${key}`.toUpperCase()
  }

  scopedEnvVarKeys(key: string): string[] {
    return [this.scopedEnvVarKey(key)]
  }

  scopedEnvVarTrue(key: string): boolean {
    const value = this.scopedEnvVar(key)
    return value === '1' || value === 'true'
  }

  private dir(category: 'cache' | 'config' | 'data'): string {
    const base = process.env[`XDG_${category.toUpperCase()}_HOME`] || join(this.home, category === 'data' ? '.local/share' : `.${category}`)
    return join(base, this.dirname)
  }
}
