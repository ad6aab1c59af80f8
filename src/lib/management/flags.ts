// Flags of the queue commands, defined once: the connection (ATOM or ARM) and the queue settings.
import {Flags} from '../oclif.js'
import {connectionFlags} from '../servicebus/flags.js'

/** --status of a queue, topic or subscription (parseStatus reads it, in any case). */
export const statusFlag = Flags.string({description: 'Active, Disabled, SendDisabled or ReceiveDisabled (sends or receives are refused)'})

export const managementFlags = {
  ...connectionFlags,
  'azure-subscription': Flags.string({
    description: 'Azure subscription id: selects the ARM backend [env: AZURE_SUBSCRIPTION_ID]',
    helpGroup: 'ARM',
  }),
  'resource-group': Flags.string({description: 'Resource group of the namespace [env: AZURE_RESOURCE_GROUP]', helpGroup: 'ARM'}),
  'namespace-name': Flags.string({description: 'Service Bus namespace name [env: SERVICEBUS_NAMESPACE_NAME]', helpGroup: 'ARM'}),
}

export const queueSpecFlags = {
  'lock-duration': Flags.string({description: 'Peek-lock duration, 5s to 5m (e.g. 30s, 1m)'}),
  'max-delivery-count': Flags.integer({description: 'Deliveries before a message is dead-lettered'}),
  'default-ttl': Flags.string({description: 'Default message time to live (e.g. 1h, 14d)'}),
  'dead-letter-on-expiration': Flags.boolean({description: 'Dead-letter expired messages instead of dropping them', allowNo: true}),
  'requires-session': Flags.boolean({description: 'Messages must carry a session id; delivered in order per session'}),
  'duplicate-detection-window': Flags.string({description: 'Turn on duplicate detection with this window (20s to 7d)'}),
  'max-size-mb': Flags.integer({description: 'Maximum queue size in megabytes'}),
  'max-message-size-kb': Flags.integer({description: 'Maximum message size in kilobytes (Premium)'}),
  'auto-delete-on-idle': Flags.string({description: 'Delete the queue after it is idle this long, at least 5m (e.g. 1h, 7d)'}),
  status: statusFlag,
  'forward-to': Flags.string({description: 'Auto-forward every message to this queue or topic ("" to stop)'}),
  'forward-dead-letters-to': Flags.string({description: 'Auto-forward dead letters to this queue or topic ("" to stop)'}),
  'enable-partitioning': Flags.boolean({
    description: 'Partition the queue; fixed at creation (a partition key must then equal the session id)',
  }),
}
