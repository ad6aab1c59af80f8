// Long-lived message payloads are copied into small dedicated slabs. Node's shared Buffer pool
// would mix them with short-lived buffers (log frames, decoded frames), and one live payload
// then keeps a whole pool slab of garbage alive: with 100,000 queued messages that doubled RSS.
// Slabs are small so a payload that outlives its neighbours (a dead letter) pins little.

const SLAB_BYTES = 16 * 1024
const MAX_SLAB_ITEM_BYTES = 4 * 1024

let slab = Buffer.allocUnsafeSlow(SLAB_BYTES)
let used = 0

/** A copy of `source` that does not share memory with it (or with the shared Buffer pool). */
export function copyPayload(source: Buffer): Buffer {
  const copy = allocPayload(source.length)
  source.copy(copy)
  return copy
}

/** Room for a long-lived payload of `length` bytes (a body read back from the log), not zeroed. */
export function allocPayload(length: number): Buffer {
  if (length > MAX_SLAB_ITEM_BYTES) return Buffer.allocUnsafeSlow(length)
  if (used + length > SLAB_BYTES) {
    slab = Buffer.allocUnsafeSlow(SLAB_BYTES)
    used = 0
  }
  const room = slab.subarray(used, used + length)
  used += (length + 7) & ~7
  return room
}
