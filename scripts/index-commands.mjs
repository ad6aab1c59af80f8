// Writes dist/command-index.json from oclif's own Config: every command id with the two facts
// oclif's command lookup reads (strict, args), the module of each of qjob's commands, and the
// package.json settings a run reads. With it, `qjob <command> ...` runs the command without building
// oclif's Config at every start (src/lib/startup/dispatch.ts). Runs after `oclif manifest` and
// scripts/bundle-fast-path.mjs. Fails on a setting the dispatcher or the fast path does not
// reproduce, rather than let it run a command differently.
import {writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {Config} from '@oclif/core'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const config = await Config.load(root)
const {oclif} = config.pjson
const helpFlags = ['--help', ...(oclif.additionalHelpFlags ?? [])]
const versionFlags = ['--version', ...(oclif.additionalVersionFlags ?? [])]
// bin/run.js answers --version and help pages with its own copy of these (startup/fast-path.ts).
const fastPath = createRequire(import.meta.url)('../dist/lib/startup/fast-path.cjs')
const sameFlags = (set, flags) => set.size === flags.length && flags.every(flag => set.has(flag))

const unsupported = [
  config.topicSeparator !== ' ' && 'a topic separator other than a space',
  config.flexibleTaxonomy && 'flexibleTaxonomy',
  config.binAliases && 'binAliases',
  oclif.exitCodes && 'exitCodes',
  oclif.theme && 'a theme',
  config.isSingleCommandCLI && 'a single-command CLI',
  !sameFlags(fastPath.HELP_FLAGS, helpFlags) && `help flags other than fast-path.ts's (${helpFlags.join(' ')})`,
  !sameFlags(fastPath.VERSION_FLAGS, versionFlags) && `version flags other than fast-path.ts's (${versionFlags.join(' ')})`,
  ...[...config.plugins.values()].flatMap(plugin =>
    Object.keys(plugin.hooks ?? {})
      .filter(event => !(plugin.isRoot && event === 'command_not_found'))
      .map(event => `${plugin.name}'s ${event} hook`),
  ),
  ...config.commands
    .filter(command => command.aliases.length > 0 || command.hiddenAliases.length > 0 || command.state || command.deprecateAliases)
    .map(command => `the aliases or state of ${command.id}`),
].filter(Boolean)
if (unsupported.length > 0)
  throw new Error(`index-commands: src/lib/startup (dispatch.ts, fast-path.ts) does not reproduce ${unsupported.join(', ')}`)

const commands = {}
for (const command of config.commands) {
  const entry = {strict: command.strict !== false, args: Object.keys(command.args ?? {})}
  // A plugin's command (help, version) has no file: oclif runs it.
  if (command.pluginName === config.name) entry.file = command.relativePath.join('/')
  commands[command.id] = entry
}

const index = {
  name: config.name,
  version: config.version,
  bin: config.bin,
  dirname: config.dirname,
  helpFlags,
  versionFlags,
  commands,
}
writeFileSync(join(root, 'dist', 'command-index.json'), JSON.stringify(index))
