// Shared by bin/run.js and bin/dev.mjs: runs the command (startup/dispatch.ts, or oclif) and
// reports errors raised before a command runs (unknown command, bad topic, `help nosuch`) the same
// way commands report theirs, as JSON on stderr when --json or --ndjson was asked for.
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {flush, run as runOclif} from './oclif.js'

import {wantsJsonErrors} from './json-errors.js'
import {loadColours} from './output.js'
import {runIndexed} from './startup/dispatch.js'
import {watchStdout} from './stdout.js'
import {debugEnabled, describeError, errorJson, exitCodeOf, UsageError} from '../common/errors.js'
import {closest} from '../common/suggest.js'

/** "help sned" (plugin-help's own not-found) gets the same suggestion as "sned", from the manifest. */
function friendly(error: unknown, root: URL): unknown {
  const message = error instanceof Error ? error.message : ''
  const notFound = /^command (\S+) not found/i.exec(message)
  if (!notFound) return error
  const typed = notFound[1].replaceAll(':', ' ')
  const suggestion = closest(typed, knownIds(root))
  return new UsageError(`unknown command "${typed}"${suggestion ? `; did you mean "qjob ${suggestion}"?` : ''}`, {
    hint: 'Run "qjob help" to list the commands.',
  })
}

function knownIds(root: URL): string[] {
  try {
    const manifest = JSON.parse(readFileSync(new URL('oclif.manifest.json', root), 'utf8')) as {
      commands: Record<string, {hidden?: boolean}>
    }
    const ids = Object.entries(manifest.commands)
      .filter(([, command]) => !command.hidden)
      .map(([id]) => id.replaceAll(':', ' '))
    const topics = new Set(
      ids.flatMap(id =>
        id
          .split(' ')
          .slice(0, -1)
          .map((_, i, parts) => parts.slice(0, i + 1).join(' ')),
      ),
    )
    return [...ids, ...topics, 'help', 'version', 'autocomplete']
  } catch {
    return []
  }
}

/** Runs argv's command; `root` is the package's directory (ends with a slash). */
export async function run(root: URL, options: {development?: boolean} = {}): Promise<void> {
  const argv = process.argv.slice(2)
  // A reader that goes away while oclif prints (`qjob help | head -1`): exit 141, not a hang.
  watchStdout()
  try {
    // Development (bin/dev.mjs) runs the TypeScript sources; errors are reported the same way.
    if (options.development) process.env.NODE_ENV = 'development'
    await loadColours()
    // A known command runs without oclif's Config (startup/dispatch.ts); anything else through oclif.
    const ran = !options.development && (await runIndexed(argv, root))
    if (!ran) await runOclif(argv, fileURLToPath(root))
    await flush()
  } catch (error) {
    const reported = friendly(error, root)
    process.exitCode = exitCodeOf(reported)
    if (wantsJsonErrors(argv)) process.stderr.write(`${JSON.stringify(errorJson(reported))}\n`)
    else process.stderr.write(`${describeError(reported, {debug: debugEnabled()})}\n`)
  }
}
