// ARM PUT replaces a resource: an update sends the current resource with the changes applied,
// less what the service computes (ids, timestamps, counts), which it would refuse or ignore.
const READ_ONLY = new Set([
  'id',
  'name',
  'type',
  'location',
  'systemData',
  'createdAt',
  'updatedAt',
  'accessedAt',
  'countDetails',
  'messageCount',
  'sizeInBytes',
  'subscriptionCount',
])

/** The resource's writable properties (queues, topics, subscriptions). */
export function writableFields<T extends object>(resource: T): T {
  return Object.fromEntries(Object.entries(resource).filter(([key]) => !READ_ONLY.has(key))) as T
}
