// One entity grammar for the data commands: `-q QUEUE`, or `--topic T` (send, schedule), or
// `--topic T --subscription S` (everything that receives or peeks). Inside qjob a subscription is
// named by its entity path, `T/Subscriptions/S`, as Azure names it; receivers are opened with the
// SDK's topic + subscription form, so a topic-scoped connection string (EntityPath=T) still works.
import {UsageError} from '../../common/errors.js'

const SUBSCRIPTIONS = '/Subscriptions/'

export interface EntityFlags {
  queue?: string
  topic?: string
  subscription?: string
}

export function subscriptionPath(topic: string, subscription: string): string {
  return `${topic}${SUBSCRIPTIONS}${subscription}`
}

/** `T/Subscriptions/S` -> {topic: T, subscription: S}; a queue or topic name -> {name}. */
export function splitEntityPath(path: string): {name: string; subscription?: string} {
  const at = path.indexOf(SUBSCRIPTIONS)
  return at < 0 ? {name: path} : {name: path.slice(0, at), subscription: path.slice(at + SUBSCRIPTIONS.length)}
}

/** How errors and progress lines name an entity path. */
export function describeEntity(path: string): string {
  const {name, subscription} = splitEntityPath(path)
  return subscription === undefined ? name : `${name}/${subscription}`
}

/**
 * The entity path the flags name, checked before anything is sent: --subscription needs --topic,
 * -q and --topic exclude each other, a receive needs a subscription of a topic, a send goes to the
 * topic itself. Undefined when no entity flag is given (the saved default queue applies).
 */
export function entityPathFromFlags(flags: EntityFlags, side: 'send' | 'receive'): string | undefined {
  if (flags.subscription !== undefined && flags.topic === undefined) {
    throw new UsageError('--subscription needs --topic', {hint: 'Name the topic too: --topic T --subscription S.'})
  }
  if (flags.queue !== undefined && flags.topic !== undefined) {
    throw new UsageError('-q/--queue and --topic cannot be used together', {hint: 'Use -q QUEUE for a queue, or --topic T for a topic.'})
  }
  if (flags.topic === undefined) return flags.queue
  // Send-side commands have no --subscription flag: a message goes to the topic, and each
  // subscription whose rules match gets a copy.
  if (side === 'send') return flags.topic
  if (flags.subscription === undefined) {
    throw new UsageError('--topic needs --subscription here: messages are read from a subscription', {
      hint: `List them with "qjob subscription list --topic ${flags.topic}".`,
    })
  }
  return subscriptionPath(flags.topic, flags.subscription)
}
