// One receivable entity: a queue's main sub-queue or its dead-letter sub-queue. It holds the
// messages (by sequence number), which of them are available, which are locked, and the
// consumers (receiver links) waiting for messages.
import type {SubQueue} from '../store/message-store.js'
import type {Delivery, StoredMessage} from './message.js'
import {numberHeap} from './min-heap.js'

export type ReceiveMode = 'peekLock' | 'receiveAndDelete'

/** A receiver: the AMQP adapter implements it over a link; tests can implement it directly. */
export interface Consumer {
  readonly mode: ReceiveMode
  /** How many more messages the consumer can take right now. */
  credit(): number
  deliver(delivery: Delivery): void
  /** The entity went away (queue deleted): detach with this error. */
  close(error: Error): void
}

export class Entity {
  readonly messages = new Map<number, StoredMessage>()
  readonly locked = new Set<number>()
  readonly consumers: Consumer[] = []
  private readonly available = numberHeap()
  private nextConsumer = 0
  sizeBytes = 0
  activeCount = 0
  deferredCount = 0
  scheduledCount = 0

  constructor(
    readonly queueName: string,
    readonly subQueue: SubQueue,
  ) {}

  get path(): string {
    return this.subQueue === 'main' ? this.queueName : `${this.queueName}/$DeadLetterQueue`
  }

  insert(message: StoredMessage): void {
    this.messages.set(message.sequenceNumber, message)
    this.sizeBytes += message.payload.length
    this.count(message, 1)
    if (message.state === 'active') this.available.push(message.sequenceNumber)
  }

  remove(sequenceNumber: number): StoredMessage | undefined {
    const message = this.messages.get(sequenceNumber)
    if (!message) return undefined
    this.messages.delete(sequenceNumber)
    this.locked.delete(sequenceNumber)
    this.sizeBytes -= message.payload.length
    this.count(message, -1)
    return message
  }

  setState(message: StoredMessage, state: StoredMessage['state']): void {
    this.count(message, -1)
    message.state = state
    this.count(message, 1)
  }

  replacePayload(message: StoredMessage, payload: Buffer): void {
    this.sizeBytes += payload.length - message.payload.length
    message.payload = payload
  }

  /** Makes an active, unlocked message receivable again (abandon, lock expiry, activation). */
  release(sequenceNumber: number): void {
    this.locked.delete(sequenceNumber)
    const message = this.messages.get(sequenceNumber)
    if (message?.state === 'active') this.available.push(sequenceNumber)
  }

  /** The lowest available sequence number's message, taken off the available set. */
  takeAvailable(): StoredMessage | undefined {
    for (;;) {
      const sequenceNumber = this.available.pop()
      if (sequenceNumber === undefined) return undefined
      const message = this.messages.get(sequenceNumber)
      if (message && message.state === 'active' && !this.locked.has(sequenceNumber)) return message
    }
  }

  hasAvailable(): boolean {
    return this.available.size > 0
  }

  /** A consumer with credit, round robin; undefined when none can take a message. */
  nextReadyConsumer(): Consumer | undefined {
    const count = this.consumers.length
    for (let i = 0; i < count; i++) {
      const consumer = this.consumers[(this.nextConsumer + i) % count]
      if (consumer.credit() > 0) {
        this.nextConsumer = (this.nextConsumer + i + 1) % count
        return consumer
      }
    }
    return undefined
  }

  private count(message: StoredMessage, delta: number): void {
    if (message.state === 'active') this.activeCount += delta
    else if (message.state === 'deferred') this.deferredCount += delta
    else this.scheduledCount += delta
  }
}
