// What the local API keeps in its data dir between runs: the API token (so an exported
// HEROKU_API_KEY stays valid) and each app's formation (so a restart brings the dynos back, as the
// platform keeps a formation).
import {randomBytes} from 'node:crypto'
import {mkdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {writeAtomically} from '../certificate.js'

export const TOKEN_FILE = 'heroku-api-token'

export function newToken(): string {
  return `HRKU-local-${randomBytes(24).toString('hex')}`
}

/** The token kept in dataDir, created (mode 0600) on first use. */
export function loadOrCreateToken(dataDir: string): string {
  const path = join(dataDir, TOKEN_FILE)
  try {
    const token = readFileSync(path, 'utf8').trim()
    if (token.length >= 16) return token
  } catch {
    // Not there yet.
  }
  const token = newToken()
  mkdirSync(dataDir, {recursive: true, mode: 0o700})
  writeAtomically(path, `${token}\n`, 0o600)
  return token
}

export type SavedFormation = Record<string, {quantity: number; size: string}>

export function formationFile(dataDir: string, appName: string): string {
  return join(dataDir, `heroku-formation-${appName}.json`)
}

export function loadFormation(dataDir: string, appName: string): SavedFormation {
  try {
    const data = JSON.parse(readFileSync(formationFile(dataDir, appName), 'utf8')) as unknown
    if (!data || typeof data !== 'object' || Array.isArray(data)) return {}
    const saved: SavedFormation = {}
    for (const [type, entry] of Object.entries(data as Record<string, {quantity?: unknown; size?: unknown}>)) {
      if (Number.isInteger(entry?.quantity) && typeof entry?.size === 'string')
        saved[type] = {quantity: entry.quantity as number, size: entry.size}
    }
    return saved
  } catch {
    return {}
  }
}

export function saveFormation(dataDir: string, appName: string, formation: SavedFormation): void {
  mkdirSync(dataDir, {recursive: true, mode: 0o700})
  writeAtomically(formationFile(dataDir, appName), `${JSON.stringify(formation, null, 2)}\n`, 0o600)
}
