// Answers that need no oclif: `qjob --version`, and help pages off a terminal (`qjob scale --help`,
// `qjob help queue`, `qjob`), printed from dist/help-cache.json, which the build renders with oclif's
// own Help class (scripts/render-help.mjs). Scripts and CI ask for these often; loading oclif and
// building its Config would cost more than node's own start-up. Anything else, or anything that
// could render differently (a terminal's width and colours, FORCE_COLOR, OCLIF_COLUMNS, DEBUG),
// goes to oclif.
import {readFileSync} from 'node:fs'

import {userAgent} from './user-agent.js'
import {watchStdout} from '../stdout.js'

// bin/run.js's one CommonJS file (scripts/bundle-fast-path.mjs) also carries how it loads entry.js.
export {loadModule} from './load-module.js'

interface HelpCache {
  root: string
  commands: Record<string, string>
  topics: Record<string, string>
}

// package.json's oclif settings, written out to spare a read: scripts/index-commands.mjs fails the
// build if they differ from oclif's own.
export const HELP_FLAGS = new Set(['--help', '-h'])
export const VERSION_FLAGS = new Set(['--version', '-v'])
/**
 * The settings that change a help page off a terminal (scripts/render-help.mjs clears them). Others
 * its colour libraries read (CI, COLORTERM, TF_BUILD, TEAMCITY_*, NO_COLOR) do not: off a terminal
 * oclif prints no colour unless forced, so CI runs get the cached page (test/cli/help-cache.test.ts).
 */
export const RENDER_SETTINGS = /^(FORCE_COLOR|OCLIF_COLUMNS|DEBUG)$/

/** Prints the answer and returns true, or returns false for oclif to handle argv. */
export function answerWithoutOclif(argv: string[], root: URL): boolean {
  const text = VERSION_FLAGS.has(argv[0]) && argv.length === 1 ? `${packageUserAgent(root)}\n` : cachedHelp(argv, root)
  if (text === undefined) return false
  watchStdout() // a reader that went away: exit 141, no stack trace
  process.stdout.write(text)
  return true
}

/** The package's user agent, as `qjob --version` prints it. */
function packageUserAgent(root: URL): string {
  const {name, version} = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {name: string; version: string}
  return userAgent(name, version)
}

function cachedHelp(argv: string[], root: URL): string | undefined {
  if (process.stdout.isTTY || Object.keys(process.env).some(key => RENDER_SETTINGS.test(key))) return undefined
  const words = helpWords(argv)
  if (words === undefined) return undefined
  let cache: HelpCache
  try {
    cache = JSON.parse(readFileSync(new URL('dist/help-cache.json', root), 'utf8')) as HelpCache
  } catch {
    return undefined // not built (bin/dev.mjs) or unreadable: oclif renders it
  }
  const text = words === '' ? cache.root : (cache.commands[words] ?? cache.topics[words])
  // The root page (also the help command's own page) names the version, platform and node.
  return text?.replaceAll('{{userAgent}}', packageUserAgent(root))
}

/**
 * The words of the page asked for, when argv is nothing but words and one help flag (`scale --help`),
 * `help` and words, or nothing; otherwise undefined (arguments, flags, or a bare topic such as
 * `qjob queue`: oclif decides, and commands that run never read the cache).
 */
function helpWords(argv: string[]): string | undefined {
  if (argv[0] === 'help') return wordsOnly(argv.slice(1)) ? argv.slice(1).join(' ') : undefined
  const flags = argv.filter(arg => HELP_FLAGS.has(arg))
  const words = argv.filter(arg => !HELP_FLAGS.has(arg))
  if ((flags.length !== 1 && argv.length > 0) || !wordsOnly(words)) return undefined
  return words.join(' ')
}

function wordsOnly(args: string[]): boolean {
  return args.every(arg => /^[a-z][a-z0-9-]*$/.test(arg))
}
