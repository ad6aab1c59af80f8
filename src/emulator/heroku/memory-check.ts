// R14, as the platform logs it: a dyno whose memory is above its size's quota gets "Process running
// mem=…" and "Error R14 (Memory quota exceeded)" at each check. Heroku measures the dyno's container,
// so the resident memory of every process in the dyno's process group is summed (its shell, the
// command, whatever that started). Cheap: one pass over /proc per check (Linux; elsewhere nothing is
// measured).
import {readdirSync, readFileSync} from 'node:fs'

import type {LogHub} from './log-hub.js'
import {findSize} from './sizes.js'
import type {Supervisor} from './supervisor.js'

const PAGE_BYTES = 4096

/** Resident memory in MB of each process group on the machine (empty where /proc is not there). */
export function residentMbByGroup(): Map<number, number> {
  const pagesByGroup = new Map<number, number>()
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return new Map()
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue
    let stat: string
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
    } catch {
      continue // gone meanwhile
    }
    // "pid (comm) state ppid pgrp … rss …": comm may hold spaces and parentheses, so count from its end.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const group = Number(fields[2])
    const pages = Number(fields[21])
    if (Number.isFinite(group) && Number.isFinite(pages)) pagesByGroup.set(group, (pagesByGroup.get(group) ?? 0) + pages)
  }
  return new Map([...pagesByGroup].map(([group, pages]) => [group, toMb(pages)]))
}

/** quotaMb: every dyno's quota instead of its size's (a tighter local budget, tests). */
export function checkMemory(supervisor: Supervisor, logs: LogHub, quotaMb?: number): void {
  const dynos = supervisor.runningProcesses()
  if (dynos.length === 0) return
  const byGroup = residentMbByGroup()
  // A dyno's shell leads its own process group (it is started detached), so its pid is the group's id.
  for (const {dyno, pid} of dynos) {
    const rssMb = byGroup.get(pid)
    if (rssMb === undefined) continue
    const quota = quotaMb ?? (findSize(dyno.size)?.memory ?? 0.5) * 1024
    if (rssMb <= quota) continue
    logs.append('heroku', dyno.name, `Process running mem=${Math.round(rssMb)}M(${((rssMb / quota) * 100).toFixed(1)}%)`)
    logs.append('heroku', dyno.name, 'Error R14 (Memory quota exceeded)')
  }
}

function toMb(pages: number): number {
  return (pages * PAGE_BYTES) / (1024 * 1024)
}
