// Runs `qjob <command> ...` without building oclif's Config, which reads every plugin's package.json
// and manifest (287 KB for qjob's) on each start: ~20 ms of a ~90 ms start-up above bare node. The
// build writes dist/command-index.json (scripts/index-commands.mjs); the command is found there the
// way oclif finds it and run as oclif's Command.run does, with a ManifestConfig. Anything oclif
// itself must answer goes to oclif: help and version flags, no arguments, a topic or an unknown
// command, plugin commands, user plugins, a command that sets `needsOclifConfig`, Windows, and
// the settings that make oclif print its own debug or timing output.
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {loadModule} from './load-module.js'
import {type CommandIndex, ManifestConfig} from './manifest-config.js'

/** A command class as Command.run uses it: `_run` is oclif's init, run, catch and finally. */
type RunnableCommand = (new (argv: string[], config: ManifestConfig) => {_run(): Promise<unknown>}) & {
  id?: string
  needsOclifConfig?: boolean
}

/** Runs the command argv names and returns true, or returns false for oclif to handle argv. */
export async function runIndexed(argv: string[], root: URL): Promise<boolean> {
  if (process.platform === 'win32' || Object.keys(process.env).some(key => /^(DEBUG|OCLIF_.*|QJOB_DEBUG)$/.test(key))) return false
  const index = readIndex(root)
  if (!index || argv.length === 0 || index.versionFlags.includes(argv[0])) return false
  const helpAsked = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : argv.length).some(arg => index.helpFlags.includes(arg))
  if (helpAsked) return false
  const [id, ...rest] = normalizeArgv(argv, index)
  const file = index.commands[id]?.file
  if (!file) return false
  const config = new ManifestConfig(index)
  if (existsSync(join(config.dataDir, 'package.json'))) return false // user plugins: oclif loads them
  const CommandClass = (await loadModule<{default: RunnableCommand}>(new URL(file, root))).default
  if (CommandClass.needsOclifConfig) return false
  CommandClass.id = id // as oclif's plugin loader sets it
  await new CommandClass(rest, config)._run()
  return true
}

function readIndex(root: URL): CommandIndex | undefined {
  try {
    return JSON.parse(readFileSync(new URL('dist/command-index.json', root), 'utf8')) as CommandIndex
  } catch {
    return undefined // not built: oclif runs it
  }
}

/**
 * The command id and its arguments, as oclif's normalizeArgv finds them with a space as the topic
 * separator: words join the id while they extend a command id or topic; a flag, `name=value`, or a
 * word after a command that takes arguments ends it. `config:list` is an id as it stands.
 */
export function normalizeArgv(argv: string[], index: Pick<CommandIndex, 'commands'>): string[] {
  if (argv.length <= 1 || argv[0].includes(':')) return argv
  const usable = usableIds(Object.keys(index.commands))
  const words: string[] = []
  const idWith = (word?: string) => (word ? [...words, word] : words).filter(Boolean).join(':')
  const takesArgs = () => {
    const command = index.commands[idWith()]
    return Boolean(command && (!command.strict || command.args.length > 0))
  }
  for (const arg of argv) {
    if (usable.has(idWith(arg))) words.push(arg)
    else if (arg.includes('=') || arg.startsWith('-') || takesArgs()) break
    else words.push(arg)
  }
  const id = idWith()
  return id ? [id, ...argv.slice(id.split(':').length)] : argv
}

/** Every id and every topic above one (oclif's collectUsableIds). */
function usableIds(ids: string[]): Set<string> {
  return new Set(ids.flatMap(id => id.split(':').map((_, i, parts) => parts.slice(0, i + 1).join(':'))))
}
