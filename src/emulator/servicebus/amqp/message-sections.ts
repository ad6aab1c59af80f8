// Finds the sections of an encoded AMQP message without decoding them: each section is a
// described value whose size the constructor tells. The emulator keeps the sections a client
// sent byte for byte and only re-encodes the ones it changes (header, message annotations).

export const SECTION = {
  header: 0x70,
  deliveryAnnotations: 0x71,
  messageAnnotations: 0x72,
  properties: 0x73,
  applicationProperties: 0x74,
  data: 0x75,
  sequence: 0x76,
  value: 0x77,
  footer: 0x78,
} as const

const SYMBOLIC: Record<string, number> = {
  'amqp:header:list': SECTION.header,
  'amqp:delivery-annotations:map': SECTION.deliveryAnnotations,
  'amqp:message-annotations:map': SECTION.messageAnnotations,
  'amqp:properties:list': SECTION.properties,
  'amqp:application-properties:map': SECTION.applicationProperties,
  'amqp:data:binary': SECTION.data,
  'amqp:amqp-sequence:list': SECTION.sequence,
  'amqp:amqp-value:*': SECTION.value,
  'amqp:footer:map': SECTION.footer,
}

export interface SectionSpan {
  code: number
  start: number
  end: number
  /** Where the section's value (after the descriptor) starts. */
  valueStart: number
}

export class MalformedMessageError extends Error {}

function need(buffer: Buffer, end: number): void {
  if (end > buffer.length) throw new MalformedMessageError('truncated AMQP message')
}

/** The end offset of the encoded value starting at `position`. */
export function skipValue(buffer: Buffer, position: number): number {
  need(buffer, position + 1)
  const code = buffer[position]
  if (code === 0x00) return skipValue(buffer, skipValue(buffer, position + 1))
  const start = position + 1
  switch (code >> 4) {
    case 0x4:
      return start
    case 0x5:
      need(buffer, start + 1)
      return start + 1
    case 0x6:
      need(buffer, start + 2)
      return start + 2
    case 0x7:
      need(buffer, start + 4)
      return start + 4
    case 0x8:
      need(buffer, start + 8)
      return start + 8
    case 0x9:
      need(buffer, start + 16)
      return start + 16
    case 0xa:
    case 0xc:
    case 0xe: {
      need(buffer, start + 1)
      const end = start + 1 + buffer[start]
      need(buffer, end)
      return end
    }
    case 0xb:
    case 0xd:
    case 0xf: {
      need(buffer, start + 4)
      const end = start + 4 + buffer.readUInt32BE(start)
      need(buffer, end)
      return end
    }
    default:
      throw new MalformedMessageError(`invalid AMQP type code 0x${code.toString(16)}`)
  }
}

function descriptorCode(buffer: Buffer, position: number): number {
  const code = buffer[position]
  if (code === 0x53) return buffer[position + 1]
  if (code === 0x80) return buffer.readUInt32BE(position + 5)
  if (code === 0x44) return 0
  if (code === 0xa3) return SYMBOLIC[buffer.toString('ascii', position + 2, position + 2 + buffer[position + 1])] ?? -1
  if (code === 0xb3) return SYMBOLIC[buffer.toString('ascii', position + 5, position + 5 + buffer.readUInt32BE(position + 1))] ?? -1
  return -1
}

export function splitSections(buffer: Buffer): SectionSpan[] {
  const sections: SectionSpan[] = []
  let position = 0
  while (position < buffer.length) {
    if (buffer[position] !== 0x00) throw new MalformedMessageError('an AMQP message section must be a described value')
    const valueStart = skipValue(buffer, position + 1)
    const end = skipValue(buffer, valueStart)
    const code = descriptorCode(buffer, position + 1)
    if (code < SECTION.header || code > SECTION.footer) throw new MalformedMessageError('unknown AMQP message section')
    sections.push({code, start: position, end, valueStart})
    position = end
  }
  return sections
}

/** The binary content of a data section (vbin8 or vbin32). */
export function dataSectionContent(buffer: Buffer, section: SectionSpan): Buffer {
  const code = buffer[section.valueStart]
  if (code === 0xa0) return buffer.subarray(section.valueStart + 2, section.end)
  if (code === 0xb0) return buffer.subarray(section.valueStart + 5, section.end)
  throw new MalformedMessageError('a data section must hold binary')
}

/**
 * Where each element of the list or map a section holds starts, and where the last one ends
 * (a map's keys and values in turn): `bounds[i]` to `bounds[i + 1]` is element i, for decoding
 * one field without the rest.
 */
export function elementBounds(buffer: Buffer, section: SectionSpan): number[] {
  let position = section.valueStart
  const code = buffer[position]
  let count: number
  if (code === 0x45) return [position + 1]
  if (code === 0xc0 || code === 0xc1) {
    need(buffer, position + 3)
    count = buffer[position + 2]
    position += 3
  } else if (code === 0xd0 || code === 0xd1) {
    need(buffer, position + 9)
    count = buffer.readUInt32BE(position + 5)
    position += 9
  } else throw new MalformedMessageError('a message header, properties or annotations section must hold a list or a map')
  const bounds = [position]
  for (let i = 0; i < count; i++) {
    position = skipValue(buffer, position)
    bounds.push(position)
  }
  if (position > section.end) throw new MalformedMessageError('an AMQP list or map is longer than its section')
  return bounds
}
