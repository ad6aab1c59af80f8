// Shared by bin/run.js and bin/dev.js: runs oclif and reports errors raised before a command runs
// (unknown command, bad topic) the same way commands report theirs.
import {execute, flush, run as runOclif} from './oclif.js'

import {debugEnabled, describeError, exitCodeOf, UsageError} from '../common/errors.js'

function friendly(error: unknown): unknown {
  const message = error instanceof Error ? error.message : ''
  const notFound = /^command (.+) not found/.exec(message)
  if (notFound) return new UsageError(`unknown command "${notFound[1].replaceAll(':', ' ')}"`, {hint: 'Run "qjob --help" to list the commands.'})
  return error
}

export async function run(binUrl: string, options: {development?: boolean} = {}): Promise<void> {
  try {
    if (options.development) await execute({development: true, dir: binUrl})
    else {
      await runOclif(process.argv.slice(2), binUrl)
      await flush()
    }
  } catch (error) {
    const reported = friendly(error)
    process.stderr.write(`${describeError(reported, {debug: debugEnabled()})}\n`)
    process.exitCode = exitCodeOf(reported)
  }
}
