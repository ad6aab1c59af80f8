// Dynos must not outlive the emulator, even a kill -9 of it. Two guards: each dyno's process group
// is recorded in the data dir (reaped at the next start), and each dyno holds the read end of a
// pipe whose write end only the emulator holds: when the emulator dies, a watcher inside the
// dyno's process group reads EOF and kills the group.
import {readFileSync} from 'node:fs'

import {writeAtomically} from '../certificate.js'
import {processStartTime} from '../process-start.js'

export class DynoPidRecords {
  private readonly groups = new Map<number, string>()

  constructor(private readonly file?: string) {}

  /** Kills the process groups a previous run left behind; returns how many were still there. */
  reapLeftovers(): number {
    if (!this.file) return 0
    let saved: Record<string, string> = {}
    try {
      saved = JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, string>
    } catch {
      return 0
    }
    let reaped = 0
    for (const [pidText, startTime] of Object.entries(saved)) {
      const pid = Number(pidText)
      if (!Number.isInteger(pid) || pid <= 1 || typeof startTime !== 'string') continue
      if (processStartTime(pid) !== startTime) continue
      try {
        process.kill(-pid, 'SIGKILL')
        reaped++
      } catch {
        // Gone already.
      }
    }
    this.write()
    return reaped
  }

  add(pid: number | undefined): void {
    if (pid === undefined) return
    const startTime = processStartTime(pid)
    if (startTime === undefined) return
    this.groups.set(pid, startTime)
    this.write()
  }

  remove(pid: number | undefined): void {
    if (pid === undefined || !this.groups.delete(pid)) return
    this.write()
  }

  private write(): void {
    if (!this.file) return
    try {
      writeAtomically(this.file, `${JSON.stringify(Object.fromEntries(this.groups))}\n`, 0o600)
    } catch {
      // The parent-death pipe still guards the dynos.
    }
  }
}
