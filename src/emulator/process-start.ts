// The start time of a process (Linux /proc), so that a pid the system has since given to another
// process is never taken for ours (the data-dir lock, the dyno records).
import {readFileSync} from 'node:fs'

/** The process's start time in clock ticks since boot, or undefined where /proc is not there. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) is in parentheses and may hold spaces: count from after it; starttime is field 22.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
  } catch {
    return undefined
  }
}
