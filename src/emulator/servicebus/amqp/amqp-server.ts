// The AMQP 1.0 server: rhea container events routed to the links that handle them. Holds no
// broker state of its own; each connection's tokens and links live in its ConnectionState.
import type {Duplex} from 'node:stream'

import rhea, {type Connection, type EventContext, type link, type Receiver, type Sender} from 'rhea'

import type {NamespacePolicies} from '../auth/namespace-policies.js'
import type {Broker} from '../broker/broker.js'
import {BrokerError} from '../broker/broker-error.js'
import {AMQP} from '../constants.js'
import type {EmulatorLogger} from '../logger.js'
import {handleCbsRequest} from './cbs-link.js'
import {coalesceWrites} from './coalesced-writes.js'
import {DEFAULT_AMQP_LIMITS, guardConnection, silenceConnection, type AmqpLimits} from './connection-guard.js'
import {connectionState} from './connection-state.js'
import {amqpErrorOf, unauthorized} from './error-conditions.js'
import {handleManagementRequest} from './management-link.js'
import {ReceiveLink} from './receive-link.js'
import type {SessionRequest} from '../broker/sessions.js'
import {captureRawPayloads, holdAttach, localAttach} from './rhea-internals.js'
import {dotnetTicks, LOCKED_UNTIL_PROPERTY, SESSION_FILTER, sessionFilterOf, sessionTimeoutOf} from './session-attach.js'
import {SendLink} from './send-link.js'
import {saslTokenOf, serverMechanisms} from './sasl-mechanisms.js'

export interface AmqpServerOptions {
  broker: Broker
  policies: NamespacePolicies
  logger: EmulatorLogger
  /** Frame sizes, open and idle timeouts, connection cap (connection-guard.ts). */
  limits?: Partial<AmqpLimits>
}

export interface AmqpServer {
  /** Serves one client connection: a socket or a WebSocket's byte stream (its AMQP header still unread). */
  accept(socket: Duplex): void
  connectionCount(): number
  close(): Promise<void>
}

type LinkRole =
  {kind: 'cbs'} | {kind: 'management'; path: string} | {kind: 'send'; handler: SendLink} | {kind: 'receive'; handler: ReceiveLink}

/** How long close() lets the close frames reach the clients before dropping the sockets. */
const STOP_GRACE_MS = 100

function describe(error: {message?: string; description?: string; condition?: string} | undefined): string {
  return error?.description ?? error?.message ?? error?.condition ?? 'an error'
}

/** `q1`, `/q1` or `amqps://host/q1` -> `q1`. */
function addressPath(terminus: {address?: unknown} | undefined): string {
  const address = typeof terminus?.address === 'string' ? terminus.address : ''
  return address.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '').replace(/^\/+/, '')
}

export function createAmqpServer(options: AmqpServerOptions): AmqpServer {
  captureRawPayloads()
  const {broker, logger} = options
  const roles = new WeakMap<link, LinkRole>()
  const container = rhea.create_container({id: 'qjob-servicebus-emulator'})
  // The mechanisms Azure offers (see sasl-mechanisms.ts); rhea's typings omit this field.
  ;(container as unknown as {sasl_server_mechanisms: unknown}).sasl_server_mechanisms = serverMechanisms(options.policies)
  container.on('connection_open', (context: EventContext) => {
    const token = saslTokenOf(context.connection)
    if (token) connectionState(context.connection).tokens.put(token)
  })

  const echoTermini = (target: Sender | Receiver) => {
    if (target.source) target.set_source(target.source)
    if (target.target) target.set_target(target.target)
  }
  const refuse = (target: Sender | Receiver, error: unknown) => {
    logger.info(`link '${target.name}' refused: ${error instanceof Error ? error.message : String(error)}`)
    target.close(amqpErrorOf(error))
  }
  // A refused session receiver: attach with a null source, then detach with the error. For a named
  // session the attach leaves in a write of its own: read together with the detach, the SDK checks
  // the attach for that session first and reports "It may be locked by another receiver" instead of
  // the error. For the next free session they go together: the SDK waits 1 ms for the detach.
  const refuseSessionReceiver = (sender: Sender, error: unknown, named: boolean) => {
    logger.info(`session receiver '${sender.name}' refused: ${error instanceof Error ? error.message : String(error)}`)
    sender.open()
    if (!named) return sender.close(amqpErrorOf(error))
    setImmediate(() => {
      if (!sender.is_closed()) sender.close(amqpErrorOf(error))
    })
  }

  container.on('receiver_open', (context: EventContext) => {
    const receiver = context.receiver!
    const path = addressPath(receiver.target)
    const state = connectionState(context.connection)
    if (path === '$cbs' || /\/\$management$/i.test(path)) {
      roles.set(receiver, path === '$cbs' ? {kind: 'cbs'} : {kind: 'management', path})
      localAttach(receiver).max_message_size = AMQP.controlLinkMaxMessageSize
      echoTermini(receiver)
      return
    }
    const decision = state.tokens.authorize(path, ['Send'], broker.now())
    if (!decision.allowed) {
      logger.info(`send link to '${path}' refused: ${decision.reason}`)
      receiver.close(unauthorized(decision.reason))
      return
    }
    try {
      const {queue, entity, management} = broker.resolve(path)
      if (management || entity !== queue.main) throw new BrokerError('BadRequest', `Cannot send to '${path}'.`)
      localAttach(receiver).max_message_size = queue.properties.maxMessageSizeInKilobytes * 1024
    } catch (error) {
      refuse(receiver, error)
      return
    }
    echoTermini(receiver)
    roles.set(receiver, {kind: 'send', handler: new SendLink(receiver, path, state, {broker, logger})})
  })

  container.on('sender_open', (context: EventContext) => {
    const sender = context.sender!
    const path = addressPath(sender.source)
    const state = connectionState(context.connection)
    if (path === '$cbs' || /\/\$management$/i.test(path)) {
      state.replyLinks.set(sender.name, sender)
      echoTermini(sender)
      return
    }
    const decision = state.tokens.authorize(path, ['Listen'], broker.now())
    if (!decision.allowed) {
      logger.info(`receive link on '${path}' refused: ${decision.reason}`)
      sender.close(unauthorized(decision.reason))
      return
    }
    try {
      const {management} = broker.resolve(path)
      if (management) throw new BrokerError('BadRequest', `Cannot receive from '${path}'.`)
      const mode = sender.snd_settle_mode === 1 ? 'receiveAndDelete' : 'peekLock'
      const attach = localAttach(sender)
      attach.snd_settle_mode = sender.snd_settle_mode
      attach.rcv_settle_mode = sender.rcv_settle_mode
      const handler = new ReceiveLink(sender, path, mode, broker, logger)
      const session = sessionFilterOf(sender)
      if (session.present) {
        openSessionReceiver(sender, handler, {sessionId: session.sessionId, timeoutMs: sessionTimeoutOf(sender)})
      } else {
        handler.attach()
        echoTermini(sender)
      }
      roles.set(sender, {kind: 'receive', handler})
      state.links.add(handler)
    } catch (error) {
      const session = sessionFilterOf(sender)
      if (session.present) refuseSessionReceiver(sender, error, session.sessionId !== undefined)
      else refuse(sender, error)
    }
  })

  /** A session receiver's attach waits for its session; refused: attach with a null source, then detach. */
  const openSessionReceiver = (sender: Sender, handler: ReceiveLink, request: SessionRequest) => {
    const granted = handler.attachSession(request)
    holdAttach(sender)
    granted.then(
      grant => {
        if (sender.is_closed() || !sender.is_remote_open()) return
        sender.set_source({...sender.source, filter: {[SESSION_FILTER]: grant.sessionId}})
        if (sender.target) sender.set_target(sender.target)
        localAttach(sender).properties = {[LOCKED_UNTIL_PROPERTY]: dotnetTicks(grant.lockedUntilUtc)}
        sender.open()
        handler.onFlow()
      },
      error => {
        handler.detached()
        if (sender.is_closed() || !sender.is_remote_open()) return
        refuseSessionReceiver(sender, error, request.sessionId !== undefined)
      },
    )
  }

  container.on('message', (context: EventContext) => {
    const role = roles.get(context.receiver!)
    if (role?.kind === 'send') role.handler.onMessage(context)
    else if (role?.kind === 'cbs') handleCbsRequest(context, {policies: options.policies, logger, now: broker.now})
    else if (role?.kind === 'management') handleManagementRequest(context, role.path, {broker, logger})
  })

  const receiveRole = (context: EventContext) => {
    const role = context.sender && roles.get(context.sender)
    return role?.kind === 'receive' ? role.handler : undefined
  }
  container.on('sender_flow', (context: EventContext) => receiveRole(context)?.onFlow())
  container.on('sender_draining', (context: EventContext) => receiveRole(context)?.onDraining())
  for (const kind of ['accepted', 'rejected', 'released'] as const) {
    container.on(kind, (context: EventContext) => receiveRole(context)?.onSettlement(kind, context))
  }

  const linkGone = (context: EventContext) => {
    const target = context.sender ?? context.receiver
    if (!target) return
    const state = connectionState(context.connection)
    const role = roles.get(target)
    if (role?.kind === 'receive') {
      role.handler.detached()
      state.links.delete(role.handler)
    }
    if (context.sender && state.replyLinks.get(context.sender.name) === context.sender) state.replyLinks.delete(context.sender.name)
    // A receive link keeps its role: rhea dispatches the dispositions of a frame batch after the
    // detach that followed them in the same batch, and those settlements still count (AMQP settles
    // on the session). The WeakMap lets the link go with its connection.
    if (role?.kind !== 'receive') roles.delete(target)
  }
  container.on('sender_close', linkGone)
  container.on('receiver_close', linkGone)
  container.on('sender_error', (context: EventContext) =>
    logger.debug(`client detached '${context.sender?.name}' with ${describe(context.sender?.error)}`),
  )
  container.on('receiver_error', (context: EventContext) => logger.debug(`client detached '${context.receiver?.name}' with an error`))
  container.on('session_close', (context: EventContext) => {
    const state = connectionState(context.connection)
    for (const handle of [...state.links]) {
      if (handle instanceof ReceiveLink && handle.link.session === context.session) {
        handle.detached()
        state.links.delete(handle)
      }
    }
  })
  const connectionGone = (context: EventContext) => connectionState(context.connection).detachAll()
  container.on('connection_close', connectionGone)
  container.on('disconnected', connectionGone)
  container.on('connection_error', (context: EventContext) =>
    logger.info(`connection closed with an error: ${describe(context.connection.error)}`),
  )
  container.on('protocol_error', (error: Error) => logger.warn(`protocol error from a client: ${error.message}`))
  container.on('error', (error: Error) => logger.warn(`AMQP error: ${error?.message ?? String(error)}`))

  // The front door (../front-door.ts) listens and hands over the sockets that speak AMQP.
  const limits: AmqpLimits = {...DEFAULT_AMQP_LIMITS, ...options.limits}
  const connectionOptions = {
    receiver_options: {autoaccept: false, credit_window: AMQP.incomingCreditWindow},
    max_frame_size: limits.maxFrameBytes,
    idle_time_out: limits.idleTimeoutMs,
  }
  const sockets = new Set<Duplex>()
  const connections = new Set<Connection>()
  let stopping = false
  return {
    accept(socket: Duplex) {
      if (stopping) {
        socket.destroy()
        return
      }
      const overCap = sockets.size >= limits.maxConnections
      sockets.add(socket)
      const connection = container.create_connection(connectionOptions as never)
      connections.add(connection)
      socket.on('close', () => {
        sockets.delete(socket)
        connections.delete(connection)
        connectionState(connection).detachAll()
      })
      guardConnection(connection, socket, {limits, overCap, logger, authenticated: () => connectionState(connection).tokens.size > 0})
      coalesceWrites(socket)
      // rhea types omit Connection.accept(socket), the server side of container.listen().
      ;(connection as unknown as {accept(socket: Duplex): void}).accept(socket)
    },
    connectionCount: () => sockets.size,
    // Stop: no new connections, every open one told (connection:forced, as Azure does when a
    // node goes away), a moment for those frames to leave, then sockets and rhea timers gone.
    close: async () => {
      stopping = true
      for (const connection of connections) {
        if (connection.is_remote_open() && !connection.is_closed())
          connection.close({condition: 'amqp:connection:forced', description: 'The emulator is stopping.'})
      }
      if (sockets.size > 0) {
        // Not events.once: that rejects on an 'error' first (rhea writing a late disposition to a
        // socket the client already ended), and a stop must not fail over a connection going away.
        const allClosed = Promise.all(
          [...sockets].map(socket => (socket.destroyed ? undefined : new Promise(resolve => socket.once('close', resolve)))),
        )
        let grace: NodeJS.Timeout | undefined
        await Promise.race([allClosed, new Promise(resolve => (grace = setTimeout(resolve, STOP_GRACE_MS)))])
        clearTimeout(grace)
      }
      for (const socket of sockets) socket.destroy()
      for (const connection of connections) silenceConnection(connection)
    },
  }
}
