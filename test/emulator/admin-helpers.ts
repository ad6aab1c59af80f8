// Helpers for the admin API tests: the stock ServiceBusAdministrationClient trusting the
// emulator's certificate in-process, and raw HTTP(S) requests signed the way the SDK signs them.
import {request as httpRequest} from 'node:http'
import {request as httpsRequest} from 'node:https'

import {ServiceBusAdministrationClient} from '@azure/service-bus'

import {signSas} from '../../src/emulator/servicebus/auth/sas-token.js'
import type {ServiceBusEmulator} from '../../src/emulator/servicebus/index.js'

/** The unmodified admin client; `tlsOptions.ca` trusts the emulator's self-signed certificate. */
export function adminClient(emulator: ServiceBusEmulator, connectionString = emulator.connectionString): ServiceBusAdministrationClient {
  return new ServiceBusAdministrationClient(connectionString, {tlsOptions: {ca: emulator.certificate.cert}, retryOptions: {maxRetries: 0}})
}

/** `SharedAccessSignature …` for a URL, as SB src/util/sasServiceClientCredentials.ts makes it. */
export function sasHeaderFor(url: string, keyName: string, key: string, expiresAtSeconds = Math.round(Date.now() / 1000) + 300): string {
  const resource = encodeURIComponent(url.toLowerCase()).toLowerCase()
  return `SharedAccessSignature sig=${signSas(resource, expiresAtSeconds, key)}&se=${expiresAtSeconds}&skn=${keyName}&sr=${resource}`
}

export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

export interface RawRequest {
  scheme: 'http' | 'https'
  method?: string
  /** Path and query, e.g. `/$namespaceinfo?api-version=2021-05`. */
  path: string
  headers?: Record<string, string>
  body?: string
  /** Sign with this policy (the URL signed is the one requested). */
  sign?: {keyName: string; key: string}
}

export function rawRequest(emulator: ServiceBusEmulator, options: RawRequest): Promise<RawResponse> {
  const url = `${options.scheme}://${emulator.host}:${emulator.port}${options.path}`
  const headers: Record<string, string> = {...options.headers}
  if (options.sign) headers.authorization = sasHeaderFor(url, options.sign.keyName, options.sign.key)
  if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body))
  const send = options.scheme === 'https' ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const request = send(url, {method: options.method ?? 'GET', headers, ca: emulator.certificate.cert, agent: false}, response => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () =>
        resolve({status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8')}),
      )
      response.on('error', reject)
    })
    request.on('error', reject)
    request.end(options.body)
  })
}
