// Which certificate the admin API's HTTPS side serves: the one given, else the emulator
// certificate kept in the cert dir or the data dir (shared with the Heroku rendezvous when both
// use the same dir). An in-memory emulator without either gets one certificate per process, in a
// temporary directory removed when the process exits, so tests do not pay for a key each.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {loadOrCreateCertificate, type EmulatorCertificate} from '../../certificate.js'

let processCertificate: Promise<EmulatorCertificate> | undefined

function temporaryCertificate(): Promise<EmulatorCertificate> {
  processCertificate ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qjob-sb-cert-'))
    process.once('exit', () => rmSync(dir, {recursive: true, force: true}))
    return loadOrCreateCertificate(dir)
  })()
  return processCertificate
}

export function emulatorCertificate(options: {
  certificate?: EmulatorCertificate
  certDir?: string
  dataDir?: string
}): Promise<EmulatorCertificate> {
  if (options.certificate) return Promise.resolve(options.certificate)
  const dir = options.certDir ?? options.dataDir
  return dir ? loadOrCreateCertificate(dir) : temporaryCertificate()
}
