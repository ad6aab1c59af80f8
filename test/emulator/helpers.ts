// Shared setup for emulator tests: an in-process emulator on a free port, the real SDK client
// pointed at it (with short retries so expected errors do not stall), and small wait helpers.
import {once} from 'node:events'
import {connect, createServer, type Server, type Socket} from 'node:net'

import {ServiceBusClient, type ServiceBusClientOptions} from '@azure/service-bus'
import WebSocket from 'ws'

import {startServiceBusEmulator, type ServiceBusEmulatorOptions, type ServiceBusEmulator} from '../../src/emulator/servicebus/index.js'
import {tempDir} from '../helpers/cli.js'

export interface TestEmulator {
  emulator: ServiceBusEmulator
  client: ServiceBusClient
  dataDir?: string
  /** Closes clients made with clientFor, the client, the emulator, and removes the data dir. */
  stop(): Promise<void>
  clientFor(connectionString: string, options?: ServiceBusClientOptions): ServiceBusClient
}

/**
 * QJOB_TEST_SB_TRANSPORT=websocket runs a test file's SDK clients over AMQP-over-WebSockets
 * (wss://host:port/$servicebus/websocket) instead of plain AMQP: sb-websocket.test.ts runs the
 * messaging, sessions and management tests that way.
 */
export const OVER_WEBSOCKETS = process.env.QJOB_TEST_SB_TRANSPORT === 'websocket'

/** The SDK options that tunnel AMQP through the emulator's WebSocket endpoint (TLS, its own CA). */
export function webSocketClientOptions(emulator: ServiceBusEmulator): ServiceBusClientOptions {
  return {webSocketOptions: {webSocket: WebSocket as never, webSocketConstructorOptions: {ca: emulator.certificate.cert}}}
}

/** No retries and a short timeout: a test expecting an error gets it at once. */
export const FAST_FAIL: ServiceBusClientOptions = {retryOptions: {maxRetries: 0, timeoutInMs: 10_000}}

export async function startTestEmulator(options: ServiceBusEmulatorOptions & {durable?: boolean} = {}): Promise<TestEmulator> {
  const dir = options.durable ? tempDir('qjob-sb-') : undefined
  const emulator = await startServiceBusEmulator({port: 0, inMemory: !options.durable, dataDir: dir?.path, ...options})
  const clients: ServiceBusClient[] = []
  const clientFor = (connectionString: string, clientOptions: ServiceBusClientOptions = FAST_FAIL) => {
    const client = new ServiceBusClient(
      connectionString,
      OVER_WEBSOCKETS ? {...webSocketClientOptions(emulator), ...clientOptions} : clientOptions,
    )
    clients.push(client)
    return client
  }
  const client = clientFor(emulator.connectionString)
  return {
    emulator,
    client,
    dataDir: dir?.path,
    clientFor,
    async stop() {
      await Promise.allSettled(clients.map(c => c.close()))
      // Proof that the WebSocket run really tunnelled: any test that connected went through it.
      if (OVER_WEBSOCKETS && emulator.connectionCount() > 0 && emulator.webSocketConnectionsAccepted() === 0) {
        await emulator.close()
        throw new Error('QJOB_TEST_SB_TRANSPORT=websocket, but no client connected over WebSockets')
      }
      await emulator.close()
      dir?.cleanup()
    },
  }
}

/** Resolves when `check` returns true, polling the in-process broker (no network, 10 ms steps). */
export async function until(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

/** The error a promise rejects with (fails if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & {code?: string}> {
  try {
    await promise
  } catch (error) {
    return error as Error & {code?: string}
  }
  throw new Error('expected the operation to fail, but it succeeded')
}

/**
 * A TCP proxy on a free port in front of `targetPort`: replies pass straight through; for each
 * client connection `forwarder()` makes the function that writes the client's chunks upstream.
 */
export async function startTcpProxy(
  targetPort: number,
  forwarder: () => (chunk: Buffer, upstream: Socket) => void,
): Promise<{port: number; close(): void}> {
  const proxy: Server = createServer((client: Socket) => {
    const upstream = connect(targetPort, '127.0.0.1')
    upstream.setNoDelay(true)
    const forward = forwarder()
    client.on('data', (chunk: Buffer) => forward(chunk, upstream))
    upstream.pipe(client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
    client.on('error', () => {})
    upstream.on('error', () => {})
  })
  proxy.listen(0, '127.0.0.1')
  await once(proxy, 'listening')
  return {port: (proxy.address() as {port: number}).port, close: () => proxy.close()}
}
