// How messages look to people: table columns and a one-line body preview.
import type {ServiceBusReceivedMessage} from '@azure/service-bus'

import type {Column} from '../output.js'
import {bodySize, decodeBody} from './message-json.js'

export function bodyPreview(message: ServiceBusReceivedMessage): string {
  const {body} = message
  if (!(body instanceof Uint8Array)) return JSON.stringify(body) ?? ''
  const decoded = decodeBody(body.subarray(0, 4096))
  if (decoded.bodyEncoding === 'base64') return `<${body.byteLength} bytes binary>`
  return typeof decoded.body === 'string' ? decoded.body : JSON.stringify(decoded.body)
}

const time = (date: Date | undefined) =>
  date
    ? date
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z')
    : ''

export const messageColumns: Array<Column<ServiceBusReceivedMessage>> = [
  {header: 'SEQ', get: message => message.sequenceNumber?.toString(), align: 'right'},
  {header: 'ENQUEUED', get: message => time(message.enqueuedTimeUtc)},
  {header: 'STATE', get: message => message.state},
  {header: 'SUBJECT', get: message => message.subject ?? '', max: 24},
  {header: 'SIZE', get: message => bodySize(message), align: 'right'},
  {header: 'BODY', get: bodyPreview, max: 60},
]

export const deadLetterColumns: Array<Column<ServiceBusReceivedMessage>> = [
  {header: 'SEQ', get: message => message.sequenceNumber?.toString(), align: 'right'},
  {header: 'ENQUEUED', get: message => time(message.enqueuedTimeUtc)},
  {header: 'REASON', get: message => message.deadLetterReason ?? '', max: 32},
  {header: 'DESCRIPTION', get: message => message.deadLetterErrorDescription ?? '', max: 40},
  {header: 'DELIVERIES', get: message => message.deliveryCount, align: 'right'},
  {header: 'BODY', get: bodyPreview, max: 40},
]

export const scheduledColumns: Array<Column<ServiceBusReceivedMessage>> = [
  {header: 'SEQ', get: message => message.sequenceNumber?.toString(), align: 'right'},
  {header: 'SCHEDULED FOR', get: message => time(message.scheduledEnqueueTimeUtc)},
  {header: 'SUBJECT', get: message => message.subject ?? '', max: 24},
  {header: 'SIZE', get: message => bodySize(message), align: 'right'},
  {header: 'BODY', get: bodyPreview, max: 60},
]
