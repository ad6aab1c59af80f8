// rhea state the emulator must read or set that its typings do not expose: the local attach
// frame of a link the peer opened (we answer it), the session's free outgoing delivery slots,
// and the raw bytes of a decoded message. Each is reached here, in one place, with its reason.
import type {EventContext, link, Message, Sender} from 'rhea'

import {amqpMessage} from './rhea-types.js'

interface AttachFields {
  max_message_size?: number
  snd_settle_mode?: number
  rcv_settle_mode?: number
  properties?: Record<string, unknown>
}

/** The attach frame we send back for a link the client opened (before rhea writes it). */
export function localAttach(target: link): AttachFields {
  return (target as unknown as {local: {attach: AttachFields}}).local.attach
}

/**
 * Holds back the attach rhea is about to send for a link the client opened (rhea opens it before
 * the open event). A session receiver waiting for a free session gets its attach only once the
 * broker grants one; `link.open()` then sends it.
 */
export function holdAttach(target: link): void {
  const state = (target as unknown as {state: {local_open: boolean; open_requests: number}}).state
  state.local_open = false
  state.open_requests = Math.max(0, state.open_requests - 1)
}

/**
 * True while rhea has yet to write the attach of a link we opened: it writes a session's transfers
 * before its links' attaches, so a delivery queued now (a client that sent attach and flow in one
 * batch) would reach the client on a handle it does not know yet.
 */
export function attachUnsent(target: link): boolean {
  return (target as unknown as {state: {open_requests: number}}).state.open_requests > 0
}

/** Free slots in the session's outgoing delivery buffer: peek-locked deliveries hold one each. */
export function outgoingSlots(sender: Sender): number {
  return (sender.session as unknown as {outgoing: {available(): number}}).outgoing.available()
}

export function transferFormat(context: EventContext): number {
  return (context as unknown as {format?: number}).format ?? 0
}

const rawPayloads = new WeakMap<object, Buffer>()
let capturing = false

/**
 * rhea decodes format-0 transfers into a Message and drops the bytes, but the emulator stores
 * messages exactly as sent (every AMQP type of every property). rhea calls `message.decode` for
 * those transfers; this wraps it to remember each message's bytes (a WeakMap, nothing else
 * changes for other users of rhea in the process).
 */
export function captureRawPayloads(): void {
  if (capturing) return
  capturing = true
  const original = amqpMessage.decode
  amqpMessage.decode = function decodeKeepingBytes(buffer: Buffer) {
    const decoded = original.call(this, buffer)
    rawPayloads.set(decoded, buffer)
    return decoded
  }
}

export function rawPayloadOf(message: Message): Buffer | undefined {
  return rawPayloads.get(message as object)
}
