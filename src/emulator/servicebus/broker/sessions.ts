// Sessions of queues that require them: a session receiver asks for a named session or for the
// next one that has messages; it then holds the session's lock (one receiver per session, so a
// session's messages go in order to one receiver at a time) until the lock expires, the receiver
// goes away, or it renews the lock. Message locks of a session live as long as its lock. The
// session state is kept durably (a 'session-state' store record).
import type {MessageStore} from '../store/message-store.js'
import {BrokerError} from './broker-error.js'
import type {Consumer, Entity, SessionEntry} from './entity.js'
import type {MessageLock, MessageLocks} from './message-locks.js'
import type {Queue} from './queue.js'

export interface SessionDependencies {
  locks: MessageLocks<Entity>
  store: MessageStore
  now: () => number
  pump: (entity: Entity) => void
  /** A message lock that went with its session's lock: redeliver the message. */
  redeliver: (lock: MessageLock<Entity>) => void
}

export interface SessionGrant {
  sessionId: string
  lockedUntilUtc: number
}

export interface SessionRequest {
  /** A named session; undefined: the next session that has messages and no lock. */
  sessionId?: string
  /** How long to wait for a free session (next available only). */
  timeoutMs: number
}

interface Waiter {
  consumer: Consumer
  resolve: (grant: SessionGrant) => void
  reject: (error: Error) => void
  timer: NodeJS.Timeout
}

export function sessionLockLost(sessionId: string): BrokerError {
  return new BrokerError(
    'SessionLockLost',
    `The session lock has expired on the session with id ${sessionId}, or the session is not locked.`,
  )
}

export class SessionManager {
  private readonly waiters = new Map<Queue, Waiter[]>()

  constructor(private readonly deps: SessionDependencies) {}

  /** Locks a session for the consumer (which then gets its messages), at once or when one is free. */
  accept(queue: Queue, consumer: Consumer, request: SessionRequest): Promise<SessionGrant> {
    const entity = requireSessions(queue)
    if (request.sessionId !== undefined) {
      const entry = entity.session(request.sessionId)
      if (entry.lock) {
        return Promise.reject(
          new BrokerError(
            'SessionCannotBeLocked',
            `The requested session '${request.sessionId}' cannot be accepted. It may be locked by another receiver.`,
          ),
        )
      }
      return Promise.resolve(this.lockFor(queue, entry, consumer))
    }
    const free = this.findFree(entity)
    if (free) return Promise.resolve(this.lockFor(queue, free, consumer))
    return new Promise((resolve, reject) => {
      const waiters = this.waiters.get(queue) ?? []
      this.waiters.set(queue, waiters)
      const waiter: Waiter = {
        consumer,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.dropWaiter(queue, consumer)
          reject(new BrokerError('Timeout', `No session of '${queue.name}' became available within ${request.timeoutMs} ms.`))
        }, request.timeoutMs),
      }
      waiters.push(waiter)
    })
  }

  /** Gives free sessions that have messages to receivers waiting for the next available one. */
  offer(queue: Queue): void {
    const waiters = this.waiters.get(queue)
    while (waiters && waiters.length > 0) {
      const free = this.findFree(queue.main)
      if (!free) return
      const waiter = waiters.shift()!
      clearTimeout(waiter.timer)
      waiter.resolve(this.lockFor(queue, free, waiter.consumer))
    }
  }

  /** The consumer went away: stop waiting, or release its session. */
  consumerGone(queue: Queue, consumer: Consumer): void {
    this.dropWaiter(queue, consumer)
    const entry = consumer.sessionId === undefined ? undefined : queue.main.sessions?.get(consumer.sessionId)
    if (entry?.lock?.consumer === consumer) this.release(queue, entry)
  }

  renew(queue: Queue, sessionId: string): number {
    const entry = requireSessions(queue).sessions!.get(sessionId)
    const lock = entry?.lock
    if (!entry || !lock) throw sessionLockLost(sessionId)
    clearTimeout(lock.timer)
    const durationMs = queue.properties.lockDurationMs
    lock.lockedUntilUtc = this.deps.now() + durationMs
    lock.timer = setTimeout(() => this.expired(queue, entry), durationMs)
    return lock.lockedUntilUtc
  }

  getState(queue: Queue, sessionId: string): Buffer | undefined {
    return this.lockedEntry(queue, sessionId).state
  }

  async setState(queue: Queue, sessionId: string, state: Buffer | undefined): Promise<void> {
    const entry = this.lockedEntry(queue, sessionId)
    entry.state = state
    await this.deps.store.append([{type: 'session-state', queue: queue.name, sessionId, state: state?.toString('base64') ?? null}])
  }

  /** The lock of the session a message belongs to, when the session is locked. */
  lockOf(entity: Entity, sessionId: string | undefined): SessionEntry['lock'] {
    return entity.sessions?.get(sessionId ?? '')?.lock
  }

  /** Drops the waiters and session locks of a deleted queue or a closing broker. */
  dropQueue(queue: Queue, error?: Error): void {
    for (const waiter of this.waiters.get(queue) ?? []) {
      clearTimeout(waiter.timer)
      if (error) waiter.reject(error)
    }
    this.waiters.delete(queue)
    for (const entry of queue.main.sessions?.values() ?? []) {
      if (entry.lock) clearTimeout(entry.lock.timer)
      entry.lock = undefined
    }
  }

  private lockedEntry(queue: Queue, sessionId: string): SessionEntry {
    const entry = requireSessions(queue).sessions!.get(sessionId)
    if (!entry?.lock) throw sessionLockLost(sessionId)
    return entry
  }

  private lockFor(queue: Queue, entry: SessionEntry, consumer: Consumer): SessionGrant {
    const durationMs = queue.properties.lockDurationMs
    entry.lock = {
      consumer,
      lockedUntilUtc: this.deps.now() + durationMs,
      timer: setTimeout(() => this.expired(queue, entry), durationMs),
      tokens: new Set(),
    }
    consumer.sessionId = entry.id
    queue.main.consumers.push(consumer)
    return {sessionId: entry.id, lockedUntilUtc: entry.lock.lockedUntilUtc}
  }

  private expired(queue: Queue, entry: SessionEntry): void {
    this.release(queue, entry, sessionLockLost(entry.id))
  }

  /** Ends a session lock: its receiver stops getting messages, unsettled ones are redelivered. */
  private release(queue: Queue, entry: SessionEntry, error?: Error): void {
    const lock = entry.lock
    if (!lock) return
    clearTimeout(lock.timer)
    entry.lock = undefined
    const consumers = queue.main.consumers
    const index = consumers.indexOf(lock.consumer)
    if (index >= 0) consumers.splice(index, 1)
    if (error) lock.consumer.close(error)
    for (const token of lock.tokens) {
      const messageLock = this.deps.locks.take(token)
      if (messageLock) this.deps.redeliver(messageLock)
    }
    queue.main.forgetIfIdle(entry)
    this.deps.pump(queue.main)
  }

  private findFree(entity: Entity): SessionEntry | undefined {
    for (const entry of entity.sessions!.values()) {
      if (!entry.lock && entity.sessionHasAvailable(entry)) return entry
    }
    return undefined
  }

  private dropWaiter(queue: Queue, consumer: Consumer): void {
    const waiters = this.waiters.get(queue)
    const index = waiters?.findIndex(waiter => waiter.consumer === consumer) ?? -1
    if (index < 0) return
    clearTimeout(waiters![index].timer)
    waiters!.splice(index, 1)
  }
}

function requireSessions(queue: Queue): Entity {
  if (!queue.main.sessions)
    throw new BrokerError('BadRequest', `The queue '${queue.name}' does not require sessions; use a receiver without a session.`)
  return queue.main
}
