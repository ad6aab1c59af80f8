// Names, namespaces and limits of the ATOM management API, as Azure Service Bus serves it to
// ServiceBusAdministrationClient (api-version 2021-05).

export const ATOM = {
  apiVersion: '2021-05',
  atomNamespace: 'http://www.w3.org/2005/Atom',
  connectNamespace: 'http://schemas.microsoft.com/netservices/2010/10/servicebus/connect',
  instanceNamespace: 'http://www.w3.org/2001/XMLSchema-instance',
  /** The namespace of CountDetails' children; the SDK wants exactly one `xmlns:` prefix there. */
  countDetailsNamespace: 'http://schemas.microsoft.com/netservices/2011/06/servicebus',
  entryContentType: 'application/atom+xml;type=entry;charset=utf-8',
  feedContentType: 'application/atom+xml;type=feed;charset=utf-8',
  errorContentType: 'application/xml; charset=utf-8',
} as const

export const ADMIN_LIMITS = {
  /** Azure's page size when the client sends no `$top`, and the most one page holds. */
  pageSize: 100,
  /** The largest request body the endpoint reads. */
  maxBodyBytes: 1024 * 1024,
} as const

/** What `getNamespaceProperties` reports for the emulator's one namespace. */
export const NAMESPACE_INFO = {
  name: 'qjob-emulator',
  messagingSku: 'Standard',
  namespaceType: 'Messaging',
} as const

/** xs:duration of TimeSpan.MaxValue: what Azure prints for "never" (TTL, auto-delete on idle). */
export const FOREVER_DURATION = 'P10675199DT2H48M5.4775807S'
