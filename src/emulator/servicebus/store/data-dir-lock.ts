// One emulator per data directory: a lock file naming its owner. A pid alone is not enough (after
// a kill -9 and a reboot or a long uptime the pid may belong to another process), so the lock
// records the owner's pid, its process start time (Linux: /proc/<pid>/stat), the host and a
// random token. A lock whose pid runs no longer, or runs a process that started at another time,
// is stale and taken over. Locks of the previous format (a bare pid) count as held only while
// that pid runs a node process. Every refusal names the lock file.
import {randomUUID} from 'node:crypto'
import {readFileSync, rmSync, writeFileSync} from 'node:fs'
import {hostname} from 'node:os'

import {BrokerError} from '../broker/broker-error.js'
import {processStartTime} from '../../process-start.js'

interface LockRecord {
  pid: number
  /** Clock ticks since boot when the process started (/proc/<pid>/stat field 22); undefined off Linux. */
  startTime?: string
  host: string
  token: string
  createdAt: string
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function runsNode(pid: number): boolean {
  try {
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? ''
    return /(^|\/)node(js)?[^/]*$/.test(command) || command === process.execPath
  } catch {
    // No /proc: assume the worst (held), as the previous format always did.
    return true
  }
}

function parseLock(text: string): LockRecord | {legacyPid: number} | undefined {
  try {
    const data = JSON.parse(text) as Partial<LockRecord>
    if (typeof data === 'number') return {legacyPid: data}
    if (data && Number.isInteger(data.pid)) return data as LockRecord
  } catch {
    const legacyPid = Number.parseInt(text, 10)
    if (Number.isInteger(legacyPid)) return {legacyPid}
  }
  return undefined
}

/** Locks held by this process (a second emulator in the same process on the same dir). */
const heldHere = new Set<string>()

export class DataDirLock {
  private held = false
  private token?: string

  constructor(readonly path: string) {}

  acquire(): void {
    if (heldHere.has(this.path))
      throw new BrokerError('BadRequest', `the data directory is in use by another emulator in this process (lock file ${this.path})`)
    for (let attempt = 0; attempt < 2; attempt++) {
      const record: LockRecord = {
        pid: process.pid,
        startTime: processStartTime(process.pid),
        host: hostname(),
        token: randomUUID(),
        createdAt: new Date().toISOString(),
      }
      try {
        writeFileSync(this.path, `${JSON.stringify(record)}\n`, {flag: 'wx', mode: 0o600})
        this.held = true
        this.token = record.token
        heldHere.add(this.path)
        return
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      }
      const owner = this.liveOwner()
      if (owner)
        throw new BrokerError(
          'BadRequest',
          `the data directory is in use by another emulator (${owner}; lock file ${this.path}). Stop it first; if no emulator runs, remove the lock file.`,
        )
      rmSync(this.path, {force: true})
    }
    throw new BrokerError('Internal', `cannot take the lock file ${this.path}`)
  }

  /** A description of the lock's owner if it still runs, undefined when the lock is stale. */
  private liveOwner(): string | undefined {
    let text: string
    try {
      text = readFileSync(this.path, 'utf8')
    } catch {
      return undefined
    }
    const lock = parseLock(text)
    if (!lock) return undefined
    if ('legacyPid' in lock) {
      const pid = lock.legacyPid
      return pid !== process.pid && processAlive(pid) && runsNode(pid) ? `pid ${pid}` : undefined
    }
    // Another host's process cannot be checked from here: held.
    if (lock.host !== hostname()) return `pid ${lock.pid} on host ${lock.host}, since ${lock.createdAt}`
    // Our own pid without holding it here: a previous run (a container's pid 1, say).
    if (lock.pid === process.pid || !processAlive(lock.pid)) return undefined
    const startTime = processStartTime(lock.pid)
    if (lock.startTime !== undefined && startTime !== undefined && startTime !== lock.startTime) return undefined
    return `pid ${lock.pid}, since ${lock.createdAt}`
  }

  release(): void {
    if (!this.held) return
    this.held = false
    heldHere.delete(this.path)
    // Only our own lock: a lock taken over meanwhile (ours judged stale) is not removed.
    try {
      if ((parseLock(readFileSync(this.path, 'utf8')) as LockRecord | undefined)?.token !== this.token) return
    } catch {
      return
    }
    rmSync(this.path, {force: true})
  }
}
