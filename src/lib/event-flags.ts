// The flag of commands that print one line per event (work, autoscale, logs): --ndjson, with
// --json as an alias, so scripts use one name for "JSON, a line at a time" everywhere.
import {Flags} from './oclif.js'

export function ndjsonFlag(what: string) {
  return Flags.boolean({description: `${what} (--json is an alias).`, aliases: ['json']})
}
