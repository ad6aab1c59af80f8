// A raw rhea AMQP peer for tests that need what the SDK never does: a chosen SASL mechanism, a
// WebSocket without the SDK, a $cbs put-token by hand.
import {once} from 'node:events'

import rhea, {type Connection, type ConnectionOptions} from 'rhea'

import {createSasToken} from '../../src/emulator/servicebus/auth/sas-token.js'

/** A client-side SASL mechanism rhea can use: its name and the initial response it sends. */
export function clientMechanism(
  name: string,
  initialResponse: Buffer,
): Record<string, () => {start(callback: (error: unknown, response: Buffer) => void): void}> {
  return {[name]: () => ({start: callback => callback(undefined, initialResponse)})}
}

export function plainResponse(user: string, password: string): Buffer {
  return Buffer.from(`\0${user}\0${password}`, 'utf8')
}

/** Opens a connection; resolves with it once open, rejects with the reason it closed instead. */
export async function openConnection(options: ConnectionOptions): Promise<Connection> {
  const connection = rhea.create_container().connect({reconnect: false, ...options} as ConnectionOptions)
  return new Promise((resolve, reject) => {
    connection.once('connection_open', () => resolve(connection))
    connection.once('connection_error', context => {
      // rhea keeps a SASL failure (its text names the mechanisms the server offered) as transport_error.
      const error = (context.connection as unknown as {transport_error?: Error}).transport_error ?? context.connection.error
      reject(
        new Error(
          String((error as {message?: string; description?: string})?.description ?? (error as Error)?.message ?? 'connection error'),
        ),
      )
    })
    connection.once('disconnected', context =>
      reject(new Error(`disconnected: ${String((context as {error?: {message?: string}}).error?.message ?? 'closed')}`)),
    )
  })
}

/** put-token on $cbs with a token for `endpoint/path`; resolves with the status code. */
export async function putToken(connection: Connection, endpoint: string, keyName: string, key: string, path = ''): Promise<number> {
  const reply = connection.open_receiver({source: {address: '$cbs'}, name: `cbs-reply-${Math.random()}`})
  const sender = connection.open_sender({target: {address: '$cbs'}})
  await once(sender, 'sendable')
  const audience = `${endpoint}/${path}`
  const token = createSasToken(audience, keyName, key, Math.floor(Date.now() / 1000) + 600)
  sender.send({
    message_id: 'put',
    reply_to: reply.name,
    application_properties: {operation: 'put-token', name: audience, type: 'servicebus.windows.net:sastoken'},
    body: token,
  })
  const [context] = (await once(reply, 'message')) as [{message: {application_properties: Record<string, unknown>}}]
  return Number(context.message.application_properties['status-code'])
}

/** Sends one message to `queue`; resolves when settled, rejects with the link's error if refused. */
export async function sendOne(connection: Connection, queue: string, body: unknown, fields: Record<string, unknown> = {}): Promise<void> {
  const sender = connection.open_sender({target: {address: queue}})
  await new Promise<void>((resolve, reject) => {
    sender.once('sendable', () => {
      sender.send({body, message_id: `m-${Math.random()}`, ...fields})
      sender.once('accepted', () => resolve())
      sender.once('rejected', context => reject(new Error(String(context.delivery?.remote_state?.error?.description ?? 'rejected'))))
    })
    sender.once('sender_close', context => reject(new Error(String(context.sender?.error?.description ?? 'sender closed'))))
    sender.once('sender_error', context => reject(new Error(String(context.sender?.error?.description ?? 'sender error'))))
  })
  sender.close()
}

export async function closeConnection(connection: Connection): Promise<void> {
  if (!connection.is_open()) return
  const closed = once(connection, 'connection_close').catch(() => undefined)
  connection.close()
  await closed
}
