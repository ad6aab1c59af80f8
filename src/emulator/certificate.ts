// One self-signed certificate for every TLS endpoint of the local emulators (the Heroku rendezvous,
// the Service Bus admin endpoint), valid for 127.0.0.1 and localhost. It is created on first use and
// kept in the data dir, so `NODE_EXTRA_CA_CERTS=<certPath>` stays valid across restarts.
// Pure JS: the key pair comes from node:crypto, the X.509 signing from node-forge (no openssl CLI).
import {generateKeyPairSync, X509Certificate} from 'node:crypto'
import {mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

export interface EmulatorCertificate {
  /** PEM certificate (also the CA to trust: it is self-signed). */
  cert: string
  /** PEM private key (PKCS#8). */
  key: string
  /** Where the certificate is stored; point NODE_EXTRA_CA_CERTS here. */
  certPath: string
}

export const CERT_FILE = 'emulator-cert.pem'
export const KEY_FILE = 'emulator-key.pem'
const VALID_DAYS = 825
const RENEW_BEFORE_MS = 7 * 24 * 3600 * 1000

/** Loads the certificate kept in `dir`, or creates (and keeps) a new one when missing or expiring. */
export async function loadOrCreateCertificate(dir: string): Promise<EmulatorCertificate> {
  const certPath = join(dir, CERT_FILE)
  const keyPath = join(dir, KEY_FILE)
  const existing = readExisting(certPath, keyPath)
  if (existing) return existing
  const {cert, key} = await createSelfSignedCertificate()
  mkdirSync(dir, {recursive: true, mode: 0o700})
  writeAtomically(keyPath, key, 0o600)
  writeAtomically(certPath, cert, 0o644)
  return {cert, key, certPath}
}

function readExisting(certPath: string, keyPath: string): EmulatorCertificate | undefined {
  try {
    const cert = readFileSync(certPath, 'utf8')
    const key = readFileSync(keyPath, 'utf8')
    const parsed = new X509Certificate(cert)
    if (Date.parse(parsed.validTo) - Date.now() < RENEW_BEFORE_MS) return undefined
    if (!parsed.checkIP('127.0.0.1') || !parsed.checkHost('localhost')) return undefined
    return {cert, key, certPath}
  } catch {
    return undefined
  }
}

/** Writes a file through a temporary name, so a reader never sees half of it. */
export function writeAtomically(path: string, text: string, mode: number): void {
  const temporary = `${path}.${process.pid}.tmp`
  writeFileSync(temporary, text, {mode})
  renameSync(temporary, path)
}

/** A new self-signed RSA-2048 certificate for 127.0.0.1, ::1 and localhost. */
export async function createSelfSignedCertificate(): Promise<{cert: string; key: string}> {
  const {default: forge} = await import('node-forge')
  const pair = generateKeyPairSync('rsa', {modulusLength: 2048})
  const keyPem = pair.privateKey.export({type: 'pkcs8', format: 'pem'}).toString()
  const publicPem = pair.publicKey.export({type: 'spki', format: 'pem'}).toString()
  const certificate = forge.pki.createCertificate()
  certificate.publicKey = forge.pki.publicKeyFromPem(publicPem)
  certificate.serialNumber = `01${forge.util.bytesToHex(forge.random.getBytesSync(15))}`
  const now = new Date()
  certificate.validity.notBefore = new Date(now.getTime() - 60_000)
  certificate.validity.notAfter = new Date(now.getTime() + VALID_DAYS * 24 * 3600 * 1000)
  const subject = [
    {name: 'commonName', value: 'localhost'},
    {name: 'organizationName', value: 'qjob local emulator'},
  ]
  certificate.setSubject(subject)
  certificate.setIssuer(subject)
  certificate.setExtensions([
    {name: 'basicConstraints', cA: true},
    {name: 'keyUsage', keyCertSign: true, digitalSignature: true, keyEncipherment: true},
    {name: 'extKeyUsage', serverAuth: true},
    {
      name: 'subjectAltName',
      altNames: [
        {type: 2, value: 'localhost'},
        {type: 7, ip: '127.0.0.1'},
        {type: 7, ip: '::1'},
      ],
    },
    {name: 'subjectKeyIdentifier'},
  ])
  certificate.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create())
  return {cert: forge.pki.certificateToPem(certificate), key: keyPem}
}
