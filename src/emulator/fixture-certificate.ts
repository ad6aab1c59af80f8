// The certificate of an in-memory test-fixture emulator: one per user, kept in the cache dir
// ($XDG_CACHE_HOME/qjob/emulator-cert, else ~/.cache/qjob/emulator-cert). Creating an RSA key
// costs more than starting the emulator itself, so only the first start on a machine pays it; the
// path also stays the same from run to run (NODE_EXTRA_CA_CERTS can be set once in a test script).
// Parallel first starts are safe: each writes its pair into its own directory and renames it into
// place; the loser of that race removes its own and uses the winner's.
import {existsSync, mkdirSync, mkdtempSync, renameSync, rmSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'

import {
  CERT_FILE,
  createSelfSignedCertificate,
  KEY_FILE,
  loadOrCreateCertificate,
  writeAtomically,
  type EmulatorCertificate,
} from './certificate.js'

export function fixtureCertificateDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'qjob', 'emulator-cert')
}

export async function fixtureCertificate(dir = fixtureCertificateDir()): Promise<EmulatorCertificate> {
  const parent = join(dir, '..')
  mkdirSync(parent, {recursive: true, mode: 0o700})
  // Already there (the usual case; renewed in place when expiring).
  if (existsSync(join(dir, CERT_FILE)) && existsSync(join(dir, KEY_FILE))) return loadOrCreateCertificate(dir)
  const staging = mkdtempSync(join(parent, '.emulator-cert-'))
  try {
    const {cert, key} = await createSelfSignedCertificate()
    writeAtomically(join(staging, KEY_FILE), key, 0o600)
    writeAtomically(join(staging, CERT_FILE), cert, 0o644)
    try {
      renameSync(staging, dir)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error
    }
  } finally {
    rmSync(staging, {recursive: true, force: true})
  }
  return loadOrCreateCertificate(dir)
}
