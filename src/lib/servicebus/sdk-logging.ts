// The Azure SDK's own logging (AZURE_LOG_LEVEL=verbose, DEBUG=azure*) and rhea's (DEBUG=rhea*)
// print connection strings and SAS tokens as they are. qjob's promise is that secrets never reach
// its output, so both loggers' sinks go through redact() before anything is written to stderr.
import {createRequire} from 'node:module'
import {format} from 'node:util'

import {redact} from '../../common/redact.js'

let installed = false

function redactedLine(...args: unknown[]): void {
  process.stderr.write(`${redact(format(...args))}\n`)
}

/** Installs the redacting sinks; call before the first SDK client is created. */
export async function redactSdkLogs(): Promise<void> {
  if (installed) return
  installed = true
  // Both builds of @azure/logger: the CommonJS SDKs (@azure/service-bus 7) require() one, ES modules
  // (@azure/identity, imported) get the other, and each has its own root logger.
  const {AzureLogger} = await import('@azure/logger')
  AzureLogger.log = redactedLine
  const require = createRequire(import.meta.url)
  ;(require('@azure/logger') as typeof import('@azure/logger')).AzureLogger.log = redactedLine
  try {
    // rhea logs through the `debug` package it depends on: resolve that very copy.
    const debug = createRequire(import.meta.resolve('rhea'))('debug') as {log: (...args: unknown[]) => void}
    debug.log = redactedLine
  } catch {
    // No rhea logging to redirect.
  }
}
