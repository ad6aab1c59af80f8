// One emulator per data directory: a lock file holding the owner's pid. A lock left by a process
// that no longer runs (kill -9) is taken over.
import {readFileSync, rmSync, writeFileSync} from 'node:fs'

import {BrokerError} from '../broker/broker-error.js'

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Locks held by this process (a second emulator in the same process on the same dir). */
const heldHere = new Set<string>()

export class DataDirLock {
  private held = false

  constructor(readonly path: string) {}

  acquire(): void {
    if (heldHere.has(this.path)) throw new BrokerError('BadRequest', 'the data directory is in use by another emulator in this process')
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(this.path, `${process.pid}\n`, {flag: 'wx', mode: 0o600})
        this.held = true
        heldHere.add(this.path)
        return
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      }
      const owner = Number.parseInt(readFileSync(this.path, 'utf8'), 10)
      if (Number.isInteger(owner) && owner !== process.pid && processAlive(owner)) {
        throw new BrokerError('BadRequest', `the data directory is in use by another emulator (pid ${owner})`)
      }
      rmSync(this.path, {force: true})
    }
    throw new BrokerError('Internal', `cannot lock ${this.path}`)
  }

  release(): void {
    if (!this.held) return
    this.held = false
    heldHere.delete(this.path)
    rmSync(this.path, {force: true})
  }
}
