// Peek-lock locks: token -> (entity, sequence number, locked-until), each with its own timer
// (except the locks of session messages, which last as long as their session's lock).
// Locks live in memory only; a restart makes every message available again, as in Azure.
import {randomUUID} from 'node:crypto'

export interface MessageLock<E> {
  token: string
  entity: E
  sequenceNumber: number
  lockedUntilUtc: number
  timer?: NodeJS.Timeout
}

export class MessageLocks<E> {
  private readonly locks = new Map<string, MessageLock<E>>()
  private onExpire: (lock: MessageLock<E>) => void = () => {
    throw new Error('MessageLocks: no expiry handler was set (call setExpiryHandler first)')
  }

  /**
   * `onExpire` may be given here, or later with setExpiryHandler: the broker builds its locks
   * before the settlement that handles their expiry (settlement needs the locks).
   */
  constructor(
    onExpire?: (lock: MessageLock<E>) => void,
    private readonly now: () => number = Date.now,
  ) {
    if (onExpire) this.onExpire = onExpire
  }

  setExpiryHandler(onExpire: (lock: MessageLock<E>) => void): void {
    this.onExpire = onExpire
  }

  get size(): number {
    return this.locks.size
  }

  /** `timed: false`: the lock does not expire by itself (a session message: its session's lock does). */
  add(entity: E, sequenceNumber: number, durationMs: number, timed = true): MessageLock<E> {
    const token = randomUUID()
    const lock: MessageLock<E> = {token, entity, sequenceNumber, lockedUntilUtc: this.now() + durationMs}
    if (timed) lock.timer = this.arm(token, durationMs)
    this.locks.set(token, lock)
    return lock
  }

  get(token: string): MessageLock<E> | undefined {
    return this.locks.get(token.toLowerCase())
  }

  /** Removes a lock (the message was settled); undefined when it expired or never existed. */
  take(token: string): MessageLock<E> | undefined {
    const lock = this.locks.get(token.toLowerCase())
    if (!lock) return undefined
    clearTimeout(lock.timer)
    this.locks.delete(lock.token)
    return lock
  }

  /** Puts back a lock taken for a settlement that could not be made durable; its timer runs for what is left. */
  restore(lock: MessageLock<E>): void {
    this.locks.set(lock.token, lock)
    if (lock.timer !== undefined) lock.timer = this.arm(lock.token, Math.max(0, lock.lockedUntilUtc - this.now()))
  }

  /** Extends a lock from now (renew-lock). */
  renew(token: string, durationMs: number): MessageLock<E> | undefined {
    const lock = this.locks.get(token.toLowerCase())
    if (!lock) return undefined
    lock.lockedUntilUtc = this.now() + durationMs
    if (lock.timer === undefined) return lock
    clearTimeout(lock.timer)
    lock.timer = this.arm(lock.token, durationMs)
    return lock
  }

  /** Drops every lock on an entity (the entity was deleted). */
  dropEntity(entity: E): void {
    for (const lock of this.locks.values()) {
      if (lock.entity === entity) this.take(lock.token)
    }
  }

  clear(): void {
    for (const lock of this.locks.values()) clearTimeout(lock.timer)
    this.locks.clear()
  }

  private arm(token: string, durationMs: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      const lock = this.locks.get(token)
      if (!lock) return
      this.locks.delete(token)
      this.onExpire(lock)
    }, durationMs)
    return timer
  }
}
