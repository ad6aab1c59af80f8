// The little XML the admin API needs. Writing: a hand-made serializer (elements, escaped text, no
// whitespace between elements, as Azure sends it). Reading: fast-xml-parser after refusing any
// DOCTYPE, so no entity (external or internal) is ever defined, fetched or expanded; only the
// five predefined entities and character references are decoded.
import {XMLParser, XMLValidator} from 'fast-xml-parser'

export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'

export class XmlError extends Error {}

const ESCAPES: Record<string, string> = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;'}

export function escapeXml(value: string): string {
  // XML 1.0 cannot carry most control characters, even escaped: drop them.
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/[&<>"']/g, character => ESCAPES[character])
}

/** `<name a="v">content</name>`; `content` is XML already (use `leaf` for text). */
export function element(name: string, content: string | readonly string[] = '', attributes: Record<string, string> = {}): string {
  const attributeText = Object.entries(attributes)
    .map(([key, value]) => ` ${key}="${escapeXml(value)}"`)
    .join('')
  const inner = typeof content === 'string' ? content : content.join('')
  return inner === '' ? `<${name}${attributeText}/>` : `<${name}${attributeText}>${inner}</${name}>`
}

/** An element holding one text value. */
export function leaf(name: string, value: string | number | boolean, attributes: Record<string, string> = {}): string {
  const text = escapeXml(String(value))
  const attributeText = Object.entries(attributes)
    .map(([key, attributeValue]) => ` ${key}="${escapeXml(attributeValue)}"`)
    .join('')
  return `<${name}${attributeText}>${text}</${name}>`
}

/** Parsed XML: elements by local name (namespace prefixes removed), attributes under `$`, text under `_` when an element has attributes. */
export type XmlNode = {[name: string]: XmlValue}
export type XmlValue = string | XmlNode | XmlValue[]

/** Elements that may repeat; they are always arrays so one and many read the same way. */
const REPEATED = new Set(['AuthorizationRule', 'AccessRights'])

const parser = new XMLParser({
  ignoreAttributes: false,
  attributesGroupName: '$',
  attributeNamePrefix: '',
  textNodeName: '_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  htmlEntities: false,
  isArray: (tagName: string) => REPEATED.has(tagName),
})

/** Deeper than any document the admin API reads (an entry is about 6 levels deep). */
export const MAX_XML_DEPTH = 64

/** The deepest element nesting, counted over the tags in one pass (the parser recurses per level). */
function nestingDepth(text: string): number {
  let depth = 0
  let deepest = 0
  for (const match of text.matchAll(/<(\/?)[A-Za-z_][^<>]*?(\/?)>/g)) {
    if (match[1]) depth--
    else if (!match[2]) deepest = Math.max(deepest, ++depth)
  }
  return deepest
}

export function parseXml(text: string): XmlNode {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new XmlError('the request body must not contain a DOCTYPE or entity declarations')
  if (nestingDepth(text) > MAX_XML_DEPTH) throw new XmlError(`the request body nests elements deeper than ${MAX_XML_DEPTH} levels`)
  const validation = XMLValidator.validate(text)
  if (validation !== true)
    throw new XmlError(`the request body is not well-formed XML: ${validation.err.msg} (line ${validation.err.line})`)
  const parsed = parser.parse(text) as XmlNode
  delete parsed['?xml']
  return parsed
}

/** The text of a parsed element (`<a>x</a>` or `<a b="c">x</a>`), undefined when absent. */
export function textOf(value: XmlValue | undefined): string | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'string') return value
  if (Array.isArray(value)) return textOf(value[0])
  const text = value._
  return typeof text === 'string' ? text : ''
}

/** A child element that must be an element (not text); undefined when absent or empty. */
export function childNode(value: XmlValue | undefined): XmlNode | undefined {
  return value !== undefined && typeof value === 'object' && !Array.isArray(value) ? value : undefined
}
