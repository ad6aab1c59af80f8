// The parts of rhea's AMQP type codec the emulator uses, typed. rhea's own typings describe
// only part of this API, so it is reached through one cast, here.
import rhea from 'rhea'

export interface AmqpTyped {
  type: {typecode: number; name: string}
  value: unknown
  descriptor?: AmqpTyped
}

interface AmqpReader {
  read(): AmqpTyped
  remaining(): number
}

interface AmqpWriter {
  write(value: AmqpTyped): void
  toBuffer(): Buffer
}

interface RheaTypes {
  Reader: new (buffer: Buffer) => AmqpReader
  Writer: new () => AmqpWriter
  Map32(items: AmqpTyped[]): AmqpTyped
  List32(items: AmqpTyped[]): AmqpTyped
  described(descriptor: AmqpTyped, value: AmqpTyped): AmqpTyped
  wrap(value: unknown): AmqpTyped
  wrap_ulong(value: number): AmqpTyped
  /** A Buffer: 8 big-endian bytes (values beyond 2^53). */
  wrap_long(value: number | Buffer): AmqpTyped
  wrap_int(value: number): AmqpTyped
  wrap_uint(value: number): AmqpTyped
  wrap_symbol(value: string): AmqpTyped
  wrap_string(value: string): AmqpTyped
  wrap_timestamp(value: number): AmqpTyped
  wrap_uuid(value: Buffer): AmqpTyped
  wrap_map(value: Record<string, unknown>, keyWrapper?: (key: string) => AmqpTyped): AmqpTyped
  unwrap(value: AmqpTyped, leaveDescribed?: boolean): unknown
}

interface RheaComposite {
  described(): AmqpTyped
}

interface RheaMessageCodec {
  decode(buffer: Buffer): Record<string, unknown>
  encode(message: unknown): Buffer
  header(fields: Record<string, unknown>): RheaComposite
  properties(fields: Record<string, unknown>): RheaComposite
  accepted(): RheaComposite
  rejected(fields: {error?: unknown}): RheaComposite
  modified(fields: Record<string, unknown>): RheaComposite
}

export const amqpTypes = (rhea as unknown as {types: RheaTypes}).types
export const amqpMessage = (rhea as unknown as {message: RheaMessageCodec}).message

export function encodeTyped(...values: AmqpTyped[]): Buffer {
  const writer = new amqpTypes.Writer()
  for (const value of values) writer.write(value)
  return writer.toBuffer()
}

export function decodeTyped(buffer: Buffer): AmqpTyped {
  return new amqpTypes.Reader(buffer).read()
}

/** Delivery outcomes, ready for `delivery.update(true, outcome)`. */
export const outcomes = {
  accepted: (): AmqpTyped => amqpMessage.accepted().described(),
  rejected: (error?: {condition?: string; description?: string}): AmqpTyped => amqpMessage.rejected(error ? {error} : {}).described(),
  modified: (fields: {delivery_failed?: boolean; undeliverable_here?: boolean}): AmqpTyped => amqpMessage.modified(fields).described(),
}
