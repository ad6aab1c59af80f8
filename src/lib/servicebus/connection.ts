// Opening a Service Bus client: a connection string (flag, env, .env, saved) or an Entra ID
// namespace with DefaultAzureCredential. The SDKs are imported here, lazily, and only here.
import type {ServiceBusClient, ServiceBusClientOptions} from '@azure/service-bus'

import type {Settings} from '../config.js'
import {ExitStatus, UsageError} from '../../common/errors.js'
import {registerSecret} from '../../common/redact.js'
import {toQjobError} from './errors.js'
import {redactSdkLogs} from './sdk-logging.js'

export interface ConnectionFlags {
  'connection-string'?: string
  namespace?: string
  timeout?: number
}

export type ConnectionTarget =
  {kind: 'connection-string'; connectionString: string; endpoint: string} | {kind: 'namespace'; namespace: string; endpoint: string}

const DEFAULT_TIMEOUT_SECONDS = 30

/** Picks the connection from flags and settings, or explains how to provide one. */
export function resolveConnection(settings: Settings, flags: ConnectionFlags): ConnectionTarget {
  const connectionString = settings.get('connection-string', flags['connection-string'])
  if (connectionString) {
    registerSecret(connectionString)
    const endpoint = /Endpoint=([^;]+)/i.exec(connectionString)?.[1]
    if (!endpoint || !/SharedAccess(Key|Signature)/i.test(connectionString)) {
      throw new UsageError('the Service Bus connection string is malformed', {
        hint: 'Expected Endpoint=sb://...;SharedAccessKeyName=...;SharedAccessKey=... (run "qjob emulator env" for a local one).',
      })
    }
    const sasKey = /SharedAccessKey=([^;]+)/i.exec(connectionString)?.[1]
    registerSecret(sasKey)
    return {kind: 'connection-string', connectionString, endpoint}
  }
  const namespace = settings.get('namespace', flags.namespace)
  if (namespace) {
    const host = namespace.includes('.') ? namespace : `${namespace}.servicebus.windows.net`
    return {kind: 'namespace', namespace: host, endpoint: `sb://${host}/`}
  }
  throw new UsageError('no Service Bus connection configured', {
    hint: 'Set SERVICEBUS_CONNECTION_STRING (for the local emulator: eval "$(qjob emulator env)"), pass --connection-string, or --namespace for Entra ID.',
  })
}

export function clientOptions(timeoutSeconds = DEFAULT_TIMEOUT_SECONDS): ServiceBusClientOptions {
  const timeoutInMs = Math.max(1, timeoutSeconds) * 1000
  // Bounded: a wrong key or an unreachable namespace fails in seconds, not after 3 x 60 s.
  return {retryOptions: {maxRetries: 2, retryDelayInMs: 250, maxRetryDelayInMs: 2000, timeoutInMs}}
}

export async function openClient(target: ConnectionTarget, timeoutSeconds?: number): Promise<ServiceBusClient> {
  await redactSdkLogs()
  const {ServiceBusClient} = await import('./sdk.js')
  const options = clientOptions(timeoutSeconds)
  try {
    if (target.kind === 'connection-string') return new ServiceBusClient(target.connectionString, options)
    const {DefaultAzureCredential} = await import('@azure/identity')
    return new ServiceBusClient(target.namespace, new DefaultAzureCredential(), options)
  } catch (error) {
    throw toQjobError(error, {endpoint: target.endpoint})
  }
}

/** Runs `work` with an open client, always closes it, and maps SDK errors to qjob errors. */
export async function withClient<T>(
  target: ConnectionTarget,
  context: {queue?: string; topic?: boolean; timeoutSeconds?: number},
  work: (client: ServiceBusClient) => Promise<T>,
): Promise<T> {
  const client = await openClient(target, context.timeoutSeconds)
  try {
    return await work(client)
  } catch (error) {
    // A deliberate stop (e.g. stdout closed) keeps its own exit status.
    if (error instanceof ExitStatus) throw error
    throw toQjobError(error, {queue: context.queue, topic: context.topic, endpoint: target.endpoint})
  } finally {
    await client.close().catch(() => undefined)
  }
}
