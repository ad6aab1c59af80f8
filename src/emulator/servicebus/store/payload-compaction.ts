// In memory, bodies sit in the payload arena's shared slabs (payload-arena.ts), and a slab stays as
// long as any one of its bodies does: a scheduled or deferred message, or one in a queue nobody
// reads, can keep a slab of long-finished messages. When the slabs hold more than twice what the
// in-memory brokers' queues hold (plus 32 MB), the bodies in slabs less than half live are copied
// into fresh slabs, so the old ones can be collected. Durable brokers take no part: their bodies
// leave memory once written, and a moved body would no longer match the record that parks it.
import {copyPayload, isCurrentSlab, SLAB_BYTES, slabBytesHeld, whenSlabsGrow} from '../payload-arena.js'
import type {QueuedMessage} from './queued-message.js'

/** What holds bodies in memory: an in-memory broker. */
export interface PayloadHolder {
  /** Payload bytes its queues hold (cheap: what they count). */
  liveBytes(): number
  messages(): Iterable<QueuedMessage>
}

const SLACK_BYTES = 32 * 1024 * 1024
const holders = new Set<PayloadHolder>()

/** Takes part in compaction until the returned function is called. */
export function holdPayloads(holder: PayloadHolder): () => void {
  holders.add(holder)
  whenSlabsGrow(compactIfSparse)
  return () => holders.delete(holder)
}

function compactIfSparse(): void {
  let live = 0
  for (const holder of holders) live += holder.liveBytes()
  if (slabBytesHeld() > 2 * live + SLACK_BYTES) compactSlabs()
}

/** Moves the bodies out of slabs less than half live; how many messages it moved. */
export function compactSlabs(): number {
  const liveBySlab = new Map<ArrayBuffer, number>()
  for (const message of allMessages()) {
    const slab = message.slab
    if (slab) liveBySlab.set(slab, (liveBySlab.get(slab) ?? 0) + message.payloadBytes)
  }
  const sparse = new Set([...liveBySlab].filter(([slab, live]) => live < SLAB_BYTES / 2 && !isCurrentSlab(slab)).map(([slab]) => slab))
  if (sparse.size === 0) return 0
  // A body several messages share (a topic's copies) stays shared: one copy per slab and offset.
  const copies = new Map<ArrayBuffer, Map<number, Buffer>>()
  let moved = 0
  for (const message of allMessages()) {
    const slab = message.slab
    if (!slab || !sparse.has(slab)) continue
    let bySlab = copies.get(slab)
    if (!bySlab) copies.set(slab, (bySlab = new Map()))
    let copy = bySlab.get(message.slabOffset)
    if (!copy) bySlab.set(message.slabOffset, (copy = copyPayload(message.payload)))
    message.moveBody(copy)
    moved++
  }
  return moved
}

function* allMessages(): Generator<QueuedMessage> {
  for (const holder of holders) yield* holder.messages()
}
