// Due times for many messages behind one timer: a heap of (time, sequence number) and a single
// setTimeout armed for the earliest. Used for TTL expiry and scheduled activation.
import {MinHeap} from './min-heap.js'

interface Due {
  at: number
  sequenceNumber: number
}

/** setTimeout's limit; later times are re-armed when this one fires. */
const MAX_TIMER_MS = 2_147_483_647
/**
 * Entries fired per turn of the event loop; the rest follow on the next turn. 10,000 messages
 * due at once would otherwise block the loop, and the first deliveries, until all are handled.
 */
const MAX_FIRED_PER_TURN = 500

export class TimerQueue {
  private readonly heap = new MinHeap<Due>((a, b) => a.at < b.at || (a.at === b.at && a.sequenceNumber < b.sequenceNumber))
  private timer?: NodeJS.Timeout
  private armedFor = Number.POSITIVE_INFINITY
  private stopped = false

  /** `fire` gets every entry that is due; it checks whether the entry still applies. */
  constructor(
    private readonly fire: (sequenceNumber: number, at: number) => void,
    private readonly now: () => number = Date.now,
  ) {}

  add(at: number, sequenceNumber: number): void {
    this.heap.push({at, sequenceNumber})
    if (at < this.armedFor) this.arm()
  }

  stop(): void {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    this.heap.clear()
  }

  /** Forgets every entry and disarms the timer; unlike stop(), later add() calls still arm it (reset). */
  clear(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    this.armedFor = Number.POSITIVE_INFINITY
    this.heap.clear()
  }

  /** Fires what is due now, up to MAX_FIRED_PER_TURN (also called by the timer). */
  runDue(): void {
    const now = this.now()
    let next = this.heap.peek()
    for (let fired = 0; next && next.at <= now && fired < MAX_FIRED_PER_TURN; fired++) {
      this.heap.pop()
      this.fire(next.sequenceNumber, next.at)
      next = this.heap.peek()
    }
    this.arm()
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    this.armedFor = Number.POSITIVE_INFINITY
    const next = this.heap.peek()
    if (!next || this.stopped) return
    this.armedFor = next.at
    const delay = Math.min(Math.max(0, next.at - this.now()), MAX_TIMER_MS)
    this.timer = setTimeout(() => this.runDue(), delay)
  }
}
