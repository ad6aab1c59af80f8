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
  if (source.length > MAX_SLAB_ITEM_BYTES) {
    const own = Buffer.allocUnsafeSlow(source.length)
    source.copy(own)
    return own
  }
  if (used + source.length > SLAB_BYTES) {
    slab = Buffer.allocUnsafeSlow(SLAB_BYTES)
    used = 0
  }
  const copy = slab.subarray(used, used + source.length)
  source.copy(copy)
  used += (source.length + 7) & ~7
  return copy
}
