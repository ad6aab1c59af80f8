// Long-lived message payloads are copied into dedicated slabs. Node's shared Buffer pool would mix
// them with short-lived buffers (log frames, decoded frames), and one live payload then keeps a
// whole pool slab of garbage alive: with 100,000 queued messages that doubled RSS. Slabs are
// 256 KB: smaller ones (16 or 64 KB) sit among the ingest's short-lived buffers in the malloc heap,
// whose freed gaps between live slabs stay resident (~100 bytes a queued message at 1,000,000). A slab
// lives as long as any one of its payloads: payload-compaction.ts moves the few survivors out of
// sparse slabs when slabs hold much more than the queues do.

export const SLAB_BYTES = 256 * 1024
const MAX_SLAB_ITEM_BYTES = 4 * 1024
/** How many bytes of new slabs between two calls of the growth listener. */
const GROWTH_CHECK_BYTES = 16 * 1024 * 1024

let slab: Buffer
let used = 0
let heldBytes = 0
let grownSinceCheck = 0
let growthListener: (() => void) | undefined
const collected = new FinalizationRegistry<number>(bytes => {
  heldBytes -= bytes
})
newSlab()

/** A copy of `source` that does not share memory with it (or with the shared Buffer pool). */
export function copyPayload(source: Buffer): Buffer {
  const copy = allocPayload(source.length)
  source.copy(copy)
  return copy
}

/** Room for a long-lived payload of `length` bytes (a body read back from the log), not zeroed. */
export function allocPayload(length: number): Buffer {
  if (length > MAX_SLAB_ITEM_BYTES) return Buffer.allocUnsafeSlow(length)
  if (used + length > SLAB_BYTES) newSlab()
  const room = slab.subarray(used, used + length)
  used += (length + 7) & ~7
  return room
}

/** Bytes of slabs not yet garbage collected (an overestimate until the GC has run). */
export function slabBytesHeld(): number {
  return heldBytes
}

/** Whether `buffer` is the slab being filled now (never sparse: its room is still to come). */
export function isCurrentSlab(buffer: ArrayBuffer): boolean {
  return buffer === slab.buffer
}

/** Called (on a later tick) after every 16 MB of new slabs. */
export function whenSlabsGrow(listener: () => void): void {
  growthListener = listener
}

function newSlab(): void {
  slab = Buffer.allocUnsafeSlow(SLAB_BYTES)
  used = 0
  heldBytes += SLAB_BYTES
  collected.register(slab.buffer, SLAB_BYTES)
  grownSinceCheck += SLAB_BYTES
  if (grownSinceCheck >= GROWTH_CHECK_BYTES && growthListener) {
    grownSinceCheck = 0
    setImmediate(growthListener)
  }
}
