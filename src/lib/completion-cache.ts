// The queue names shell completion offers after -q/--queue: written by every `qjob queue list`
// to a file in qjob's cache dir, so that a TAB reads a file instead of asking Service Bus.
import {mkdirSync, renameSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

export function queueNamesFile(cacheDir: string): string {
  return join(cacheDir, 'queue-names')
}

/** Best effort: completion is a convenience, never a reason for `queue list` to fail. */
export function rememberQueueNames(cacheDir: string, names: readonly string[]): void {
  try {
    mkdirSync(cacheDir, {recursive: true})
    const file = queueNamesFile(cacheDir)
    const temporary = `${file}.${process.pid}.tmp`
    writeFileSync(temporary, names.map(name => `${name}\n`).join(''))
    renameSync(temporary, file)
  } catch {
    // a read-only or missing cache dir: no queue names to complete
  }
}
