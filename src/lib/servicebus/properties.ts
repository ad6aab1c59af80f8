// Application properties from the command line: `-p key=value` (numbers and booleans typed),
// `-p key:=json` (raw JSON: strings, numbers, booleans, null).
import {UsageError} from '../../common/errors.js'

export type PropertyValue = string | number | boolean | null

function typed(text: string): PropertyValue {
  if (text === 'true') return true
  if (text === 'false') return false
  if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text) && Number.isFinite(Number(text))) return Number(text)
  return text
}

export function parseProperty(input: string): [string, PropertyValue] {
  const raw = /^([^=:]+):=(.*)$/s.exec(input)
  if (raw) {
    let value: unknown
    try {
      value = JSON.parse(raw[2])
    } catch {
      throw new UsageError(`property "${raw[1]}": ${raw[2]} is not valid JSON`, {
        hint: 'Use -p key:=123, -p key:=true or -p key:=\'"text"\'.',
      })
    }
    if (value !== null && typeof value === 'object') {
      throw new UsageError(`property "${raw[1]}" must be a string, number, boolean or null`, {
        hint: 'Service Bus application properties hold simple values only.',
      })
    }
    return [raw[1], value as PropertyValue]
  }
  const plain = /^([^=]+)=(.*)$/s.exec(input)
  if (!plain || plain[1].trim() === '') {
    throw new UsageError(`invalid property "${input}"`, {hint: 'Use -p key=value (typed) or -p key:=json (raw JSON).'})
  }
  return [plain[1], typed(plain[2])]
}

export function parseProperties(inputs: readonly string[] = []): Record<string, PropertyValue> {
  return Object.fromEntries(inputs.map(parseProperty))
}
