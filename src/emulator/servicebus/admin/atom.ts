// Atom envelopes of the management API: an <entry> per entity, a <feed> for lists (with a
// rel="next" link the SDK follows for paging), and the <Error> body of failed requests.
import {ATOM, NAMESPACE_INFO} from './constants.js'
import {element, leaf, XML_DECLARATION} from './xml.js'

/** `https://host:port/<path>?api-version=…&<query>`: what `<id>` and `<link>` hold. */
export function resourceUrl(baseUrl: string, path: string, query: Record<string, string> = {}): string {
  const encodedPath = path
    .split('/')
    .map(segment => encodeURIComponent(segment).replace(/^%24/, '$'))
    .join('/')
  const search = new URLSearchParams({...query, 'api-version': ATOM.apiVersion})
  return `${baseUrl}/${encodedPath}?${search.toString()}`
}

export interface EntryParts {
  baseUrl: string
  /** The resource path: the queue name, or `$namespaceinfo`. */
  path: string
  title: string
  published: number
  updated: number
  /** The content element, e.g. `<QueueDescription>…</QueueDescription>`. */
  content: string
}

function entryElement(parts: EntryParts, root: boolean): string {
  const url = resourceUrl(parts.baseUrl, parts.path)
  return element(
    'entry',
    [
      leaf('id', url),
      leaf('title', parts.title, {type: 'text'}),
      leaf('published', new Date(parts.published).toISOString()),
      leaf('updated', new Date(parts.updated).toISOString()),
      element('author', leaf('name', NAMESPACE_INFO.name)),
      element('link', '', {rel: 'self', href: url}),
      element('content', parts.content, {type: 'application/xml'}),
    ],
    root ? {xmlns: ATOM.atomNamespace} : {},
  )
}

export function entryDocument(parts: EntryParts): string {
  return XML_DECLARATION + entryElement(parts, true)
}

export interface FeedParts {
  baseUrl: string
  /** `$Resources/Queues` */
  path: string
  title: string
  updated: number
  entries: EntryParts[]
  /** Query of this page (`$skip`, `$top`) for the self link. */
  query: Record<string, string>
  /** Query of the next page, when there is one. */
  next?: Record<string, string>
}

/**
 * A feed of entries. The SDK finds the next page only when `<link>` parses as a list, so the
 * self link is always there and the next link follows it.
 */
export function feedDocument(parts: FeedParts): string {
  const links = [element('link', '', {rel: 'self', href: resourceUrl(parts.baseUrl, parts.path, parts.query)})]
  if (parts.next) links.push(element('link', '', {rel: 'next', href: resourceUrl(parts.baseUrl, parts.path, parts.next)}))
  return (
    XML_DECLARATION +
    element(
      'feed',
      [
        leaf('title', parts.title, {type: 'text'}),
        leaf('id', resourceUrl(parts.baseUrl, parts.path, parts.query)),
        leaf('updated', new Date(parts.updated).toISOString()),
        ...links,
        ...parts.entries.map(entry => entryElement(entry, false)),
      ],
      {xmlns: ATOM.atomNamespace},
    )
  )
}

/** What the service answers a GET of an entity that does not exist: 200 and a feed without entries. */
export function emptyFeedDocument(baseUrl: string, path: string, updated: number): string {
  return (
    XML_DECLARATION +
    element(
      'feed',
      [
        leaf('title', 'Publicly Listed Services', {type: 'text'}),
        leaf('subtitle', 'This is the list of publicly-listed services currently available.', {type: 'text'}),
        leaf('id', resourceUrl(baseUrl, path)),
        leaf('updated', new Date(updated).toISOString()),
        leaf('generator', 'Service Bus 1.1'),
      ],
      {xmlns: ATOM.atomNamespace},
    )
  )
}

export function namespaceInfoXml(createdAt: number): string {
  const at = new Date(createdAt).toISOString()
  return element(
    'NamespaceInfo',
    [
      leaf('CreatedTime', at),
      leaf('MessagingSKU', NAMESPACE_INFO.messagingSku),
      leaf('ModifiedTime', at),
      leaf('Name', NAMESPACE_INFO.name),
      leaf('NamespaceType', NAMESPACE_INFO.namespaceType),
    ],
    {xmlns: ATOM.connectNamespace, 'xmlns:i': ATOM.instanceNamespace},
  )
}

/** `<Error><Code>404</Code><Detail>…</Detail></Error>`: the SDK shows Detail as the error message. */
export function errorDocument(status: number, detail: string): string {
  return element('Error', [leaf('Code', status), leaf('Detail', detail)])
}
