// Azure's partition-key rules for a message sent to a partitioned entity ("Partitioned queues and
// topics" in the Service Bus docs): the session id, when set, is the partition key, so a message
// that sets both must set them equal; a batch (one transfer) goes to one partition, so its
// messages must share one partition key. The emulator keeps one partition, but refuses what
// Azure refuses, so code tested here does not fail on a partitioned namespace.
import {BrokerError} from './broker-error.js'
import type {IncomingMessage} from './message.js'
import type {QueueProperties} from './queue-properties.js'

/** Azure's limit for PartitionKey (and SessionId) length. */
export const MAX_PARTITION_KEY_LENGTH = 128

export function checkPartitionKeys(properties: QueueProperties, messages: IncomingMessage[]): void {
  for (const message of messages) {
    if (message.partitionKey !== undefined && message.partitionKey.length > MAX_PARTITION_KEY_LENGTH) {
      throw new BrokerError(
        'BadRequest',
        `The PartitionKey '${message.partitionKey.slice(0, 20)}…' exceeds ${MAX_PARTITION_KEY_LENGTH} characters.`,
      )
    }
    if (message.partitionKey !== undefined && message.sessionId !== undefined && message.partitionKey !== message.sessionId) {
      throw new BrokerError(
        'BadRequest',
        `The PartitionKey '${message.partitionKey}' of a message differs from its SessionId '${message.sessionId}'; when both are set they must be equal.`,
      )
    }
  }
  if (!properties.enablePartitioning || messages.length < 2) return
  const keys = new Set(messages.map(message => message.sessionId ?? message.partitionKey))
  if (keys.size > 1) {
    throw new BrokerError(
      'BadRequest',
      `All messages of a batch sent to the partitioned entity '${properties.name}' must have the same PartitionKey (or SessionId).`,
    )
  }
}
