// The sequence numbers of an entity's messages in order, for peek: a sorted array searched by
// binary search. Sends append (sequence numbers only grow); dead-lettering inserts in the middle.
// Removed numbers are left in place and skipped, and compacted away once they are the majority.

/** Compact once at least this many removed numbers are left in the array (and they are the majority). */
const COMPACT_MIN_STALE = 1024

export class SequenceIndex {
  private items: number[] = []
  private stale = 0

  /** `isLive` says whether a number still names a message of the entity. */
  constructor(private readonly isLive: (sequenceNumber: number) => boolean) {}

  add(sequenceNumber: number): void {
    const items = this.items
    if (items.length === 0 || sequenceNumber > items[items.length - 1]) {
      items.push(sequenceNumber)
      return
    }
    const at = this.lowerBound(sequenceNumber)
    if (items[at] === sequenceNumber) {
      // A stale entry coming back to life: it is live again.
      this.stale = Math.max(0, this.stale - 1)
      return
    }
    items.splice(at, 0, sequenceNumber)
  }

  removed(): void {
    this.stale++
    if (this.stale >= COMPACT_MIN_STALE && this.stale * 2 > this.items.length) {
      this.items = this.items.filter(this.isLive)
      this.stale = 0
    }
  }

  /** Live sequence numbers from `from` (inclusive) upward, in order. */
  *from(from: number): Generator<number> {
    const items = this.items
    for (let i = this.lowerBound(from); i < items.length; i++) {
      if (this.isLive(items[i])) yield items[i]
    }
  }

  private lowerBound(value: number): number {
    let low = 0
    let high = this.items.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (this.items[middle] < value) low = middle + 1
      else high = middle
    }
    return low
  }
}
