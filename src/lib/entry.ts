// Shared by bin/run.js and bin/dev.js: runs oclif and reports errors raised before a command runs
// (unknown command, bad topic, `help nosuch`) the same way commands report theirs, as JSON on
// stderr when --json or --ndjson was asked for.
import {flush, run as runOclif} from './oclif.js'

import {wantsJsonErrors} from './json-errors.js'
import {debugEnabled, describeError, errorJson, exitCodeOf, UsageError} from '../common/errors.js'

function friendly(error: unknown): unknown {
  const message = error instanceof Error ? error.message : ''
  const notFound = /^command (\S+) not found/i.exec(message)
  if (notFound) return new UsageError(`unknown command "${notFound[1].replaceAll(':', ' ')}"`, {hint: 'Run "qjob help" to list the commands.'})
  return error
}

export async function run(binUrl: string, options: {development?: boolean} = {}): Promise<void> {
  const argv = process.argv.slice(2)
  try {
    // Development (bin/dev.js) runs the TypeScript sources; errors are reported the same way.
    if (options.development) process.env.NODE_ENV = 'development'
    await runOclif(argv, binUrl)
    await flush()
  } catch (error) {
    const reported = friendly(error)
    process.exitCode = exitCodeOf(reported)
    if (wantsJsonErrors(argv)) process.stderr.write(`${JSON.stringify(errorJson(reported))}\n`)
    else process.stderr.write(`${describeError(reported, {debug: debugEnabled()})}\n`)
  }
}
