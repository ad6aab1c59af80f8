// The state of the one local app: its formation (from the Procfile) and its dynos. Pure data with
// domain methods; the supervisor runs the processes and reports state changes here.
import {readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'

import {compareDynoNames} from '../../common/dyno-order.js'
import {ConfigVars, type ReleaseRecord} from './config-vars.js'
import {ACCOUNT_EMAIL, DEFAULT_DYNO_SIZE} from './constants.js'
import {stableUuid} from './ids.js'
import {parseProcfile, type Procfile} from './procfile.js'

export type DynoState = 'starting' | 'up' | 'crashed' | 'down' | 'idle'

export interface FormationRecord {
  id: string
  type: string
  command: string
  quantity: number
  size: string
  createdAt: Date
  updatedAt: Date
}

export interface DynoRecord {
  id: string
  name: string
  type: string
  command: string
  size: string
  state: DynoState
  attachUrl: string | null
  oneOff: boolean
  createdAt: Date
  updatedAt: Date
}

export interface AppRecord {
  id: string
  name: string
  dir: string
  createdAt: Date
  releasedAt: Date
  releaseId: string
  releaseVersion: number
}

export class AppStore {
  readonly app: AppRecord
  readonly config: ConfigVars
  readonly ownerEmail = ACCOUNT_EMAIL
  private readonly formation = new Map<string, FormationRecord>()
  private readonly dynos = new Map<string, DynoRecord>()
  private procfile: Procfile = new Map()
  private procfileMtime = -1
  procfileError?: string

  constructor(options: {appDir: string; appName: string; configFile?: string}) {
    const now = new Date()
    this.config = new ConfigVars(options.appDir, options.configFile)
    const latest = this.config.latest
    this.app = {
      id: stableUuid(`app:${options.appName}`),
      name: options.appName,
      dir: options.appDir,
      createdAt: this.config.releases[0]?.createdAt ?? now,
      releasedAt: latest.createdAt,
      releaseId: latest.id,
      releaseVersion: latest.version,
    }
    this.refreshProcfile()
  }

  /** A new release is current (dynos started from now on run it). */
  released(release: ReleaseRecord): void {
    Object.assign(this.app, {releasedAt: release.createdAt, releaseId: release.id, releaseVersion: release.version})
  }

  get procfilePath(): string {
    return join(this.app.dir, 'Procfile')
  }

  /**
   * Re-reads the Procfile when it changed (like a new release): new types join with quantity 0.
   * After start-up, a Procfile that is gone or does not parse leaves the last good one in force
   * (a broken build is not released); `procfileError` says why.
   */
  refreshProcfile(): Procfile {
    let mtime: number
    try {
      mtime = statSync(this.procfilePath).mtimeMs
      if (mtime === this.procfileMtime) return this.procfile
      this.procfile = parseProcfile(readFileSync(this.procfilePath, 'utf8'), this.procfilePath)
      this.procfileError = undefined
    } catch (error) {
      if (this.procfileMtime === -1) throw error
      this.procfileError = (error as Error).message
      return this.procfile
    }
    this.procfileMtime = mtime
    const now = new Date()
    for (const [type, command] of this.procfile) {
      const existing = this.formation.get(type)
      if (existing) {
        if (existing.command !== command) Object.assign(existing, {command, updatedAt: now})
      } else {
        this.formation.set(type, {
          id: stableUuid(`formation:${this.app.name}:${type}`),
          type,
          command,
          quantity: 0,
          size: DEFAULT_DYNO_SIZE,
          createdAt: now,
          updatedAt: now,
        })
      }
    }
    return this.procfile
  }

  /** Called after quantities or sizes change (to keep them in the data dir). */
  onFormationChange?: (formation: Record<string, {quantity: number; size: string}>) => void

  /** Quantities and sizes kept from an earlier run, for process types the Procfile still has. */
  restoreFormation(saved: Record<string, {quantity: number; size: string}>): void {
    for (const [type, {quantity, size}] of Object.entries(saved)) {
      const entry = this.formation.get(type)
      if (entry) Object.assign(entry, {quantity, size})
    }
  }

  /** Records new quantities and sizes. */
  updateFormation(changes: ReadonlyArray<{formation: FormationRecord; quantity: number; size: string}>): void {
    const now = new Date()
    for (const {formation, quantity, size} of changes) Object.assign(formation, {quantity, size, updatedAt: now})
    const snapshot: Record<string, {quantity: number; size: string}> = {}
    for (const entry of this.formation.values()) snapshot[entry.type] = {quantity: entry.quantity, size: entry.size}
    this.onFormationChange?.(snapshot)
  }

  formationList(): FormationRecord[] {
    this.refreshProcfile()
    return [...this.formation.values()]
  }

  /** A process type by type name or formation id. */
  findFormation(identity: string): FormationRecord | undefined {
    this.refreshProcfile()
    return this.formation.get(identity) ?? [...this.formation.values()].find(entry => entry.id === identity)
  }

  dynoList(type?: string): DynoRecord[] {
    const all = [...this.dynos.values()]
    return (type === undefined ? all : all.filter(dyno => dyno.type === type)).sort(compareDynoNames)
  }

  findDyno(identity: string): DynoRecord | undefined {
    return this.dynos.get(identity) ?? [...this.dynos.values()].find(dyno => dyno.id === identity)
  }

  addDyno(dyno: DynoRecord): void {
    this.dynos.set(dyno.name, dyno)
  }

  removeDyno(name: string): void {
    this.dynos.delete(name)
  }

  setState(dyno: DynoRecord, state: DynoState): void {
    dyno.state = state
    dyno.updatedAt = new Date()
  }

  /** A free name `run.NNNN` for a one-off dyno. */
  oneOffName(): string {
    for (;;) {
      const name = `run.${1000 + Math.floor(Math.random() * 9000)}`
      if (!this.dynos.has(name)) return name
    }
  }
}
