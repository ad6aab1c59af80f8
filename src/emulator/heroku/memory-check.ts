// R14, as the platform logs it: a dyno whose main process's resident memory is above its size's
// quota gets "Process running mem=…" and "Error R14 (Memory quota exceeded)" at each check. Cheap:
// one small /proc read per dyno (Linux; elsewhere nothing is measured).
import {readFileSync} from 'node:fs'

import type {LogHub} from './log-hub.js'
import {findSize} from './sizes.js'
import type {Supervisor} from './supervisor.js'

/** Resident memory of a process in MB, or undefined where /proc is not there. */
export function residentMb(pid: number): number | undefined {
  try {
    const pages = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1])
    return Number.isFinite(pages) ? (pages * 4096) / (1024 * 1024) : undefined
  } catch {
    return undefined
  }
}

/** quotaMb: every dyno's quota instead of its size's (a tighter local budget, tests). */
export function checkMemory(supervisor: Supervisor, logs: LogHub, quotaMb?: number): void {
  for (const {dyno, pid} of supervisor.runningProcesses()) {
    const rssMb = residentMb(pid)
    if (rssMb === undefined) continue
    const quota = quotaMb ?? (findSize(dyno.size)?.memory ?? 0.5) * 1024
    if (rssMb <= quota) continue
    logs.append('heroku', dyno.name, `Process running mem=${Math.round(rssMb)}M(${((rssMb / quota) * 100).toFixed(1)}%)`)
    logs.append('heroku', dyno.name, 'Error R14 (Memory quota exceeded)')
  }
}
