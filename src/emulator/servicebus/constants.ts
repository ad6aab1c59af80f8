// Limits and defaults of the Service Bus emulator, in one place. Durations are milliseconds.
// Values follow Azure Service Bus (standard tier) unless a comment says otherwise.

/** Azure's "never": TimeSpan.MaxValue (P10675199DT2H48M5.4775807S), in whole milliseconds. */
export const TIMESPAN_MAX_MS = 922_337_203_685_477

export const QUEUE_DEFAULTS = {
  lockDurationMs: 60_000,
  maxSizeInMegabytes: 1024,
  maxDeliveryCount: 10,
  requiresSession: false,
  requiresDuplicateDetection: false,
  defaultMessageTimeToLiveMs: TIMESPAN_MAX_MS,
  duplicateDetectionHistoryTimeWindowMs: 10 * 60_000,
  deadLetteringOnMessageExpiration: false,
  maxMessageSizeInKilobytes: 256,
  enableBatchedOperations: true,
  status: 'Active',
} as const

export const LIMITS = {
  /** Azure allows lock durations up to 5 minutes. */
  maxLockDurationMs: 5 * 60_000,
  /** Azure: AutoDeleteOnIdle is at least 5 minutes. */
  minAutoDeleteOnIdleMs: 5 * 60_000,
  /** Duplicate detection windows may be 20 s to 7 days in Azure; the emulator accepts any positive value. */
  maxDuplicateDetectionWindowMs: 7 * 24 * 3600_000,
  /** Premium tier: 100 MB messages, 80 GB queues. */
  maxMessageSizeInKilobytes: 102_400,
  maxQueueSizeInMegabytes: 81_920,
  maxInt32: 2_147_483_647,
  /** Azure: 1 to 260 characters; letters, digits, '.', '-', '_' and '/'. */
  queueNamePattern: /^[A-Za-z0-9][A-Za-z0-9._/-]{0,259}$/,
} as const

/** AMQP link and transport settings. */
export const AMQP = {
  defaultPort: 5672,
  defaultHost: '127.0.0.1',
  /** Credit the emulator grants to each sending client link; replenished as transfers arrive. */
  incomingCreditWindow: 1000,
  /** max-message-size on links that are not tied to a queue ($cbs, $management). */
  controlLinkMaxMessageSize: 1024 * 1024,
  /** The batch envelope the SDK uses for sendMessages(array | batch). */
  batchMessageFormat: 0x80013700,
  /** Ticks from 0001-01-01 to 1970-01-01 (.NET DateTime epoch). */
  dotnetEpochTicks: 621_355_968_000_000_000n,
} as const

/** The durable store's log and compaction settings. */
export const STORE = {
  logFileName: 'messages.log',
  /** What is live in the log up to some offset, so a restart replays only the tail after it. */
  indexFileName: 'messages.index',
  lockFileName: 'LOCK',
  /** Compact when the log is bigger than this and more than twice the live data. */
  compactMinBytes: 64 * 1024 * 1024,
  compactLiveRatio: 2,
  /** About what a message's record adds to its body in the log (frame, JSON of its fields): the live data's size counts it. */
  messageRecordBytes: 200,
  /** Message bodies kept in memory besides the log (the latest written or read); the rest is read from the log. */
  hotBodyBytes: 2 * 1024 * 1024,
} as const

export const NAMESPACE = {
  defaultPolicyName: 'RootManageSharedAccessKey',
  namespaceFileName: 'namespace.json',
  /** Random bytes in a generated key (base64 encoded, as Azure's keys are). */
  generatedKeyBytes: 32,
} as const
