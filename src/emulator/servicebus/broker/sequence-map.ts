// Values by sequence number: an entity's messages, and the durable store's index of them. A queue
// can hold a million messages, and a Map of a million numbers costs ~300 ms to build (a restart
// builds two) and ~40 bytes an entry. Sequence numbers mostly come one after another, so values
// sit in arrays of CHUNK consecutive numbers instead: 8 bytes a slot, built at array speed. Chunks
// are small so that values far apart (a dead-letter queue's) cost at most a chunk (512 bytes)
// each. Keys and values come out in ascending order of sequence number.

const CHUNK = 64

interface Chunk<V> {
  slots: Array<V | undefined>
  count: number
}

export class SequenceMap<V> {
  private readonly chunks = new Map<number, Chunk<V>>()
  /** The chunk used last, and its number: sends and receives mostly stay in one. */
  private last?: Chunk<V>
  private lastNumber = -1
  size = 0

  get(sequenceNumber: number): V | undefined {
    return this.chunk(Math.floor(sequenceNumber / CHUNK))?.slots[sequenceNumber % CHUNK]
  }

  has(sequenceNumber: number): boolean {
    return this.get(sequenceNumber) !== undefined
  }

  set(sequenceNumber: number, value: V): this {
    const number = Math.floor(sequenceNumber / CHUNK)
    let chunk = this.chunk(number)
    if (!chunk) {
      chunk = {slots: [], count: 0}
      this.chunks.set(number, chunk)
      this.last = chunk
      this.lastNumber = number
    }
    const slot = sequenceNumber % CHUNK
    if (chunk.slots[slot] === undefined) {
      chunk.count++
      this.size++
    }
    chunk.slots[slot] = value
    return this
  }

  delete(sequenceNumber: number): boolean {
    const number = Math.floor(sequenceNumber / CHUNK)
    const chunk = this.chunk(number)
    const slot = sequenceNumber % CHUNK
    if (chunk?.slots[slot] === undefined) return false
    chunk.slots[slot] = undefined
    chunk.count--
    this.size--
    if (chunk.count === 0) {
      this.chunks.delete(number)
      if (this.last === chunk) this.last = undefined
    }
    return true
  }

  *keys(): Generator<number> {
    for (const [number, chunk] of this.sortedChunks())
      for (let slot = 0; slot < chunk.slots.length; slot++) if (chunk.slots[slot] !== undefined) yield number * CHUNK + slot
  }

  *values(): Generator<V> {
    for (const [, chunk] of this.sortedChunks()) for (const value of chunk.slots) if (value !== undefined) yield value
  }

  private chunk(number: number): Chunk<V> | undefined {
    if (number === this.lastNumber && this.last) return this.last
    const chunk = this.chunks.get(number)
    if (chunk) {
      this.last = chunk
      this.lastNumber = number
    }
    return chunk
  }

  /** The chunks in order; one emptied during the iteration still yields what it held then. */
  private sortedChunks(): Array<[number, Chunk<V>]> {
    return [...this.chunks].sort((a, b) => a[0] - b[0])
  }
}
