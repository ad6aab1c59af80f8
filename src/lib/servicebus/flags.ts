// Flags shared by the messaging commands, defined once.
import {secondsFlag} from '../duration-flag.js'
import {Flags} from '../oclif.js'

export const connectionFlags = {
  'connection-string': Flags.string({
    description: 'Service Bus connection string [env: SERVICEBUS_CONNECTION_STRING]',
    helpGroup: 'CONNECTION',
  }),
  namespace: Flags.string({
    description: 'Namespace for Entra ID auth, e.g. myns.servicebus.windows.net [env: SERVICEBUS_NAMESPACE]',
    helpGroup: 'CONNECTION',
  }),
  timeout: secondsFlag({
    description: 'How long to wait for Service Bus before failing, e.g. 30s, 2m (bare numbers are seconds)',
    default: 30,
    minSeconds: 1,
    helpGroup: 'CONNECTION',
  }),
}

export const queueFlag = {
  queue: Flags.string({char: 'q', description: 'Queue name [env: QUEUE_NAME]'}),
}

/** The entity grammar (entity.ts): where send and schedule put messages. */
export const sendEntityFlags = {
  queue: Flags.string({char: 'q', description: 'Queue name [env: QUEUE_NAME]'}),
  topic: Flags.string({description: 'Topic name: send to a topic (every matching subscription gets a copy)'}),
}

/** The entity grammar (entity.ts): what the receiving and peeking commands read. */
export const receiveEntityFlags = {
  queue: Flags.string({char: 'q', description: 'Queue name [env: QUEUE_NAME]'}),
  topic: Flags.string({description: 'Topic of the subscription to read (with --subscription)'}),
  subscription: Flags.string({description: 'Subscription to read (with --topic)'}),
}

/** Body and message properties, for send and schedule. */
export const messageFlags = {
  file: Flags.string({char: 'f', description: 'Read the body from a file (- for stdin)'}),
  'content-type': Flags.string({description: 'Content type, e.g. application/json'}),
  subject: Flags.string({description: 'Subject (label), e.g. the job type'}),
  'message-id': Flags.string({description: 'Message id (default: a new UUID per message)'}),
  'correlation-id': Flags.string({description: 'Correlation id'}),
  'session-id': Flags.string({description: 'Session id (required by session-enabled queues)'}),
  'reply-to': Flags.string({description: 'Reply-to address'}),
  property: Flags.string({char: 'p', description: 'Application property key=value (typed) or key:=json; repeatable', multiple: true}),
  ttl: Flags.string({description: 'Time to live, e.g. 90s, 10m, 1d'}),
  count: Flags.integer({description: 'Send the body this many times', default: 1, min: 1}),
}
