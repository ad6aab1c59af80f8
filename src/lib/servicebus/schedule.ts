// Scheduled messages: schedule (sequence numbers come back at once), list, cancel.
import type {ServiceBusClient, ServiceBusReceivedMessage} from '@azure/service-bus'

import {UsageError} from '../../common/errors.js'
import type {OutgoingMessage} from './message-json.js'
import {peekAll} from './peek.js'
import {openReceiver} from './receivers.js'

/** The SDK schedules up to this many messages a request. */
const SCHEDULE_CHUNK = 100

export async function scheduleMessages(client: ServiceBusClient, queue: string, messages: OutgoingMessage[], at: Date): Promise<string[]> {
  const sender = client.createSender(queue)
  try {
    const sequenceNumbers: string[] = []
    for (let i = 0; i < messages.length; i += SCHEDULE_CHUNK) {
      const numbers = await sender.scheduleMessages(messages.slice(i, i + SCHEDULE_CHUNK), at)
      sequenceNumbers.push(...numbers.map(number => number.toString()))
    }
    return sequenceNumbers
  } finally {
    await sender.close()
  }
}

export async function cancelScheduled(client: ServiceBusClient, queue: string, sequenceNumbers: string[]): Promise<void> {
  const {default: Long} = await import('long')
  const sender = client.createSender(queue)
  try {
    await sender.cancelScheduledMessages(sequenceNumbers.map(text => Long.fromString(text)))
  } finally {
    await sender.close()
  }
}

/** Every scheduled message of the queue, oldest sequence number first (pages through the queue). */
export async function* listScheduled(client: ServiceBusClient, queue: string, limit = Infinity): AsyncGenerator<ServiceBusReceivedMessage> {
  const receiver = await openReceiver(client, {queue})
  try {
    let found = 0
    for await (const message of peekAll(receiver, {limit: Infinity})) {
      if (message.state !== 'scheduled') continue
      yield message
      if (++found >= limit) return
    }
  } finally {
    await receiver.close()
  }
}

/** The time to schedule for: an ISO 8601 instant, or now plus a duration. */
export function scheduleTime(at: string | undefined, inMs: number | undefined, now = Date.now()): Date {
  if (at !== undefined) {
    const date = new Date(at)
    if (Number.isNaN(date.getTime()) || !/\d{4}-\d{2}-\d{2}/.test(at)) {
      throw new UsageError(`invalid time "${at}"`, {hint: 'Use ISO 8601, e.g. 2026-12-01T09:00:00Z, or --in 10m.'})
    }
    return date
  }
  if (inMs !== undefined) return new Date(now + inMs)
  throw new UsageError('give --at TIME or --in DURATION')
}

export function parseSequenceNumbers(inputs: readonly string[]): string[] {
  return inputs
    .flatMap(input => input.split(','))
    .map(text => {
      const trimmed = text.trim()
      if (!/^\d+$/.test(trimmed))
        throw new UsageError(`invalid sequence number "${text}"`, {
          hint: 'Sequence numbers are whole numbers, as printed by qjob schedule or qjob peek.',
        })
      return trimmed
    })
}
