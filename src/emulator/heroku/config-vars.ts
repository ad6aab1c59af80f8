// The app's config vars and its releases. The app's .env gives the starting values (read afresh,
// so an edited .env still counts); changes made through the API lie on top (a value, or null for
// removed) and are kept in the data dir with the release history. Every change is a new release,
// as on the platform ("Set FOO, BAR config vars", "Remove FOO config vars").
import {mkdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {readDotenv} from '../../common/dotenv.js'
import {writeAtomically} from '../certificate.js'
import {apiErrors} from './api-error.js'
import {newId} from './ids.js'

/** Heroku's limit for all of an app's config vars together (keys and values). */
export const MAX_CONFIG_BYTES = 64 * 1024
export const MAX_CONFIG_KEY_LENGTH = 256
const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/

export interface ReleaseRecord {
  id: string
  version: number
  description: string
  createdAt: Date
}

interface SavedState {
  overrides: Record<string, string | null>
  releases: Array<{id: string; version: number; description: string; created_at: string}>
}

export class ConfigVars {
  private overrides: Record<string, string | null> = {}
  readonly releases: ReleaseRecord[] = []

  constructor(
    private readonly appDir: string,
    private readonly file?: string,
  ) {
    this.load()
    if (this.releases.length === 0) this.releases.push({id: newId(), version: 1, description: 'Initial release', createdAt: new Date()})
  }

  static fileFor(dataDir: string, appName: string): string {
    return join(dataDir, `heroku-config-${appName}.json`)
  }

  /** The config vars as dynos see them. */
  current(): Record<string, string> {
    let base: Record<string, string> = {}
    try {
      base = readDotenv(this.appDir)
    } catch {
      // A broken .env is the app's problem; the API's own changes still count.
    }
    const merged: Record<string, string> = {...base}
    for (const [key, value] of Object.entries(this.overrides)) {
      if (value === null) delete merged[key]
      else merged[key] = value
    }
    return merged
  }

  get latest(): ReleaseRecord {
    return this.releases[this.releases.length - 1]
  }

  findRelease(identity: string): ReleaseRecord | undefined {
    const version = /^v?(\d+)$/.exec(identity)
    return this.releases.find(release => release.id === identity || (version !== null && release.version === Number(version[1])))
  }

  /**
   * Applies a PATCH body (values set, null removes), checked whole first: 422 for a bad key or
   * value, or when the vars would exceed Heroku's size limit. Returns the new release, or undefined
   * when nothing changed (the platform makes no release then).
   */
  update(body: unknown): ReleaseRecord | undefined {
    if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body))
      throw apiErrors.invalidParams('The config vars must be an object of strings (null removes one).')
    const changes = Object.entries(body as Record<string, unknown>)
    for (const [key, value] of changes) {
      if (key.length > MAX_CONFIG_KEY_LENGTH)
        throw apiErrors.invalidParams(`Config var name ${key.slice(0, 40)}… is too long (at most ${MAX_CONFIG_KEY_LENGTH} characters).`)
      if (!KEY.test(key))
        throw apiErrors.invalidParams(`Invalid config var name "${key}": use letters, digits and underscores, not starting with a digit.`)
      if (value !== null && typeof value !== 'string') throw apiErrors.invalidParams(`The value of ${key} must be a string or null.`)
    }
    const before = this.current()
    const set = changes.filter(([key, value]) => value !== null && before[key] !== value).map(([key]) => key)
    const removed = changes.filter(([key, value]) => value === null && key in before).map(([key]) => key)
    if (set.length === 0 && removed.length === 0) return undefined
    const next = {...this.overrides}
    for (const [key, value] of changes) next[key] = value as string | null
    const size = Object.entries(this.mergedWith(next)).reduce((total, [key, value]) => total + key.length + value.length, 0)
    if (size > MAX_CONFIG_BYTES) throw apiErrors.invalidParams(`Config vars would take ${size} bytes; the limit is ${MAX_CONFIG_BYTES}.`)
    this.overrides = next
    const parts: string[] = []
    if (set.length > 0) parts.push(`Set ${set.join(', ')} config vars`)
    if (removed.length > 0) parts.push(`Remove ${removed.join(', ')} config vars`)
    const release: ReleaseRecord = {id: newId(), version: this.latest.version + 1, description: parts.join('; '), createdAt: new Date()}
    this.releases.push(release)
    this.save()
    return release
  }

  private mergedWith(overrides: Record<string, string | null>): Record<string, string> {
    const saved = this.overrides
    this.overrides = overrides
    try {
      return this.current()
    } finally {
      this.overrides = saved
    }
  }

  private load(): void {
    if (!this.file) return
    try {
      const saved = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<SavedState>
      if (saved.overrides && typeof saved.overrides === 'object') {
        for (const [key, value] of Object.entries(saved.overrides))
          if (KEY.test(key) && (value === null || typeof value === 'string')) this.overrides[key] = value
      }
      for (const release of saved.releases ?? []) {
        if (typeof release?.id === 'string' && Number.isInteger(release.version) && typeof release.description === 'string') {
          this.releases.push({
            id: release.id,
            version: release.version,
            description: release.description,
            createdAt: new Date(release.created_at),
          })
        }
      }
    } catch {
      // Nothing kept yet.
    }
  }

  private save(): void {
    if (!this.file) return
    const state: SavedState = {
      overrides: this.overrides,
      releases: this.releases.map(release => ({
        id: release.id,
        version: release.version,
        description: release.description,
        created_at: release.createdAt.toISOString(),
      })),
    }
    mkdirSync(join(this.file, '..'), {recursive: true, mode: 0o700})
    writeAtomically(this.file, `${JSON.stringify(state, null, 2)}\n`, 0o600)
  }
}
