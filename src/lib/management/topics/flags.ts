// Flags of the topic, subscription and rule commands, defined once.
import {Flags} from '../../oclif.js'
import {statusFlag} from '../flags.js'

export const topicFlag = {topic: Flags.string({description: 'Topic name', required: true})}
export const subscriptionFlag = {subscription: Flags.string({description: 'Subscription name', required: true})}

const autoDeleteOnIdle = Flags.string({description: 'Delete the entity after this long idle, at least 5m (e.g. 1h, 7d)'})

export const topicSpecFlags = {
  'default-ttl': Flags.string({description: 'Default message time to live (e.g. 1h, 14d)'}),
  'duplicate-detection-window': Flags.string({description: 'Turn on duplicate detection with this window (20s to 7d)'}),
  'max-size-mb': Flags.integer({description: 'Maximum topic size in megabytes'}),
  'max-message-size-kb': Flags.integer({description: 'Maximum message size in kilobytes (Premium)'}),
  'support-ordering': Flags.boolean({description: 'Keep the order messages were sent in', allowNo: true}),
  'enable-partitioning': Flags.boolean({description: 'Partition the topic (set at creation only)'}),
  'auto-delete-on-idle': autoDeleteOnIdle,
  status: statusFlag,
}

export const subscriptionSpecFlags = {
  'lock-duration': Flags.string({description: 'Peek-lock duration, 5s to 5m (e.g. 30s, 1m)'}),
  'max-delivery-count': Flags.integer({description: 'Deliveries before a message is dead-lettered'}),
  'default-ttl': Flags.string({description: 'Default message time to live (e.g. 1h, 14d)'}),
  'dead-letter-on-expiration': Flags.boolean({description: 'Dead-letter expired messages instead of dropping them', allowNo: true}),
  'dead-letter-on-filter-error': Flags.boolean({description: 'Dead-letter messages whose filter evaluation fails', allowNo: true}),
  'requires-session': Flags.boolean({description: 'Messages must carry a session id; delivered in order per session'}),
  'forward-to': Flags.string({description: 'Forward every message to this queue or topic ("" to stop)'}),
  'forward-dead-letters-to': Flags.string({description: 'Forward dead letters to this queue or topic ("" to stop)'}),
  'auto-delete-on-idle': autoDeleteOnIdle,
  status: statusFlag,
}

/** The filter of a rule (one of them) and its action. */
export const ruleFilterFlags = {
  sql: Flags.string({description: 'SQL filter, e.g. "type = \'resize\' AND size > 10"'}),
  correlation: Flags.string({
    char: 'c',
    multiple: true,
    description:
      'Correlation filter KEY=VALUE (repeatable; all must match): a system property (subject, correlationId, messageId, to, replyTo, sessionId, replyToSessionId, contentType) or an application property',
  }),
  filter: Flags.string({description: 'A fixed filter: true (every message) or false (none)', options: ['true', 'false']}),
  action: Flags.string({description: 'SQL rule action applied to the copy, e.g. "SET sys.label = \'x\'"'}),
}
