// The base of every qjob command: global flags, settings, and one error path that prints a single
// redacted line (plus a hint) and sets the exit code of docs/ARCHITECTURE.md. Never a stack trace unless asked.
import {Command, Flags} from './oclif.js'

import {Settings} from './config.js'
import {debugEnabled, describeError, exitCodeOf, ExitStatus} from '../common/errors.js'

export abstract class BaseCommand extends Command {
  static override baseFlags = {
    debug: Flags.boolean({description: 'Show stack traces and debug details on errors.', helpGroup: 'GLOBAL'}),
  }

  private cachedSettings?: Settings

  /** Settings resolved with flag > environment > .env > saved config. */
  protected get settings(): Settings {
    this.cachedSettings ??= new Settings({configDir: this.config.configDir})
    return this.cachedSettings
  }

  protected override async catch(error: Error & {exitCode?: number}): Promise<void> {
    process.exitCode = exitCodeOf(error)
    // A parse error counts as parsed: oclif would otherwise add a "did not parse" warning.
    this.parsed = true
    if (error instanceof ExitStatus) return
    process.stderr.write(`${describeError(error, {debug: debugEnabled(this.argv)})}\n`)
  }
}
