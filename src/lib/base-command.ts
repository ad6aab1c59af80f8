// The base of every qjob command: global flags, settings, the one way JSON is printed (a command
// returns its document from run(); oclif prints it for --json through logJson below, with the
// lossless replacer of output.ts), and one error path: a single redacted line (plus a hint), or
// with --json/--ndjson one JSON object on stderr, and the exit code of docs/ARCHITECTURE.md.
// Never a stack trace unless asked.
import {Command, Flags} from './oclif.js'

import {Settings} from './config.js'
import {wantsJsonErrors} from './json-errors.js'
import {printJson} from './output.js'
import {closest} from '../common/suggest.js'
import {AuthError, debugEnabled, describeError, errorJson, exitCodeOf, ExitStatus} from '../common/errors.js'

export abstract class BaseCommand extends Command {
  static override baseFlags = {
    debug: Flags.boolean({description: 'Show stack traces and debug details on errors.', helpGroup: 'GLOBAL'}),
  }

  /** `send --ndjson` reads NDJSON: it asks for no JSON output, so its errors stay text. */
  static ndjsonIsInput = false

  /** Set by a command that reads more of oclif's Config than ManifestConfig has (startup/dispatch.ts). */
  static needsOclifConfig = false

  private cachedSettings?: Settings

  /** Settings resolved with flag > environment > .env > saved config. */
  protected get settings(): Settings {
    this.cachedSettings ??= new Settings({configDir: this.config.configDir})
    return this.cachedSettings
  }

  override logJson(json: unknown): void {
    printJson(json)
  }

  protected override async catch(error: Error & {exitCode?: number}): Promise<void> {
    process.exitCode = exitCodeOf(error)
    // A parse error counts as parsed: oclif would otherwise add a "did not parse" warning.
    this.parsed = true
    if (error instanceof ExitStatus) return
    this.noteDotenvCredentials(error)
    this.suggestFlag(error)
    if (wantsJsonErrors(this.argv, {ndjsonIsInput: (this.ctor as unknown as typeof BaseCommand).ndjsonIsInput}))
      process.stderr.write(`${JSON.stringify(errorJson(error))}\n`)
    else process.stderr.write(`${describeError(error, {debug: debugEnabled(this.argv)})}\n`)
  }

  /** "Nonexistent flag: --quue" gains "; did you mean --queue?" when one is that close. */
  private suggestFlag(error: Error): void {
    const typo = /^Nonexistent flags?: (--?[^\s,]+)/.exec(error.message)
    if (!typo) return
    const names = Object.values({...this.ctor.baseFlags, ...this.ctor.flags}).flatMap(flag => [
      `--${flag.name}`,
      ...(flag.char ? [`-${flag.char}`] : []),
    ])
    if (this.ctor.enableJsonFlag) names.push('--json')
    const suggestion = closest(
      typo[1].split('=')[0],
      names.filter(name => name.startsWith('--')),
    )
    if (!suggestion) return
    const [first, ...rest] = error.message.split('\n')
    error.message = [`${first}; did you mean ${suggestion}?`, ...rest].join('\n')
  }

  /** A rejected key that came from ./.env says so: the file is easy to forget. */
  private noteDotenvCredentials(error: Error): void {
    if (!(error instanceof AuthError)) return
    const names = this.cachedSettings?.credentialsFromDotenv() ?? []
    if (names.length === 0) return
    const [first, ...rest] = error.message.split('\n')
    error.message = [`${first} (the key from ./.env: ${names.join(', ')})`, ...rest].join('\n')
  }
}
