// Keeps a receiver's settlements from being merged into the wrong outcome on the wire.
//
// rhea (3.0.5, under @azure/service-bus) writes the dispositions queued in one tick as ranges of
// consecutive delivery ids, and it compares outcomes only from the range's second member on: a
// complete (accepted) of delivery N and a dead-letter (rejected) of delivery N+1 queued together go
// out as one "accepted" for N..N+1, and the dead letter is completed, lost. (The same merges an
// abandon into a complete, or two dead letters with different reasons into the first's.) Once
// settlements run concurrently (a worker's jobs, resubmit's batches) that happens. Completions may share a frame with each other; anything
// else goes alone: it waits for the settlements in flight, and the next ones wait for it.
import type {ServiceBusReceiver} from '@azure/service-bus'

export class SettlementOrder {
  /** Done when the last settlement that went alone is done. */
  private tail: Promise<void> = Promise.resolve()
  /** The completions queued since it, which run together once it is done. */
  private group?: {gate: Promise<void>; members: Promise<void>[]}

  /** Runs a completion (with the other completions around it) or any other settlement (alone), in order. */
  async run<T>(kind: 'complete' | 'other', settle: () => Promise<T>): Promise<T> {
    let finish = () => {}
    const finished = new Promise<void>(resolve => (finish = resolve))
    let gate: Promise<void>
    if (kind === 'complete') {
      this.group ??= {gate: this.tail, members: []}
      this.group.members.push(finished)
      gate = this.group.gate
    } else {
      gate = this.group ? Promise.all(this.group.members).then(() => undefined) : this.tail
      this.group = undefined
      this.tail = finished
    }
    try {
      await gate
      return await settle()
    } finally {
      finish()
    }
  }
}

const OTHER_SETTLEMENTS = new Set(['abandonMessage', 'deadLetterMessage', 'deferMessage'])

/**
 * The receiver with every settlement made through it put in order, for code that settles
 * concurrently through a plain receiver (cron fires ticks side by side); the rest passes through.
 */
export function withOrderedSettlements(receiver: ServiceBusReceiver): ServiceBusReceiver {
  const order = new SettlementOrder()
  return new Proxy(receiver, {
    get(target, property, _proxy) {
      const value: unknown = Reflect.get(target, property, target)
      if (typeof value !== 'function') return value
      const method = value as (...args: unknown[]) => Promise<unknown>
      if (property === 'completeMessage') return (...args: unknown[]) => order.run('complete', () => method.apply(target, args))
      if (typeof property === 'string' && OTHER_SETTLEMENTS.has(property))
        return (...args: unknown[]) => order.run('other', () => method.apply(target, args))
      return method.bind(target)
    },
  })
}
