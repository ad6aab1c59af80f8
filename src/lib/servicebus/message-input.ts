// Where messages to send come from: one body (argument, --file or stdin) repeated --count times
// with the flags' properties, or NDJSON message objects streamed from a file or stdin.
import {randomUUID} from 'node:crypto'
import {createReadStream} from 'node:fs'
import {access, readFile} from 'node:fs/promises'
import {createInterface} from 'node:readline'

import {UsageError} from '../../common/errors.js'
import {fromMessageJson, type OutgoingMessage} from './message-json.js'
import type {PropertyValue} from './properties.js'

export interface MessageFields {
  contentType?: string
  subject?: string
  messageId?: string
  correlationId?: string
  sessionId?: string
  replyTo?: string
  timeToLive?: number
  applicationProperties?: Record<string, PropertyValue>
}

export interface BodySource {
  body?: string
  file?: string
  stdin?: NodeJS.ReadStream
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk))
  return Buffer.concat(chunks)
}

/** The one body of `send`/`schedule`: the argument, the file's bytes, or stdin's bytes. */
export async function readBody(source: BodySource): Promise<Buffer> {
  if (source.body !== undefined && source.file !== undefined) throw new UsageError('give the body as an argument or with --file, not both')
  if (source.body !== undefined) return Buffer.from(source.body, 'utf8')
  if (source.file !== undefined) {
    try {
      return await readFile(source.file === '-' ? '/dev/stdin' : source.file)
    } catch (error) {
      throw new UsageError(`cannot read ${source.file}: ${(error as Error).message}`)
    }
  }
  const stdin = source.stdin ?? process.stdin
  if (stdin.isTTY) throw new UsageError('no message body', {hint: 'Pass BODY, --file PATH, or pipe the body on stdin.'})
  return readAll(stdin)
}

/** `count` messages with one body; each gets its own message id unless one was given. */
export function* repeatBody(body: Buffer, fields: MessageFields, count: number): Generator<OutgoingMessage> {
  for (let i = 0; i < count; i++) {
    const message = {body, ...fields, messageId: fields.messageId ?? randomUUID()}
    for (const key of Object.keys(message) as Array<keyof typeof message>) if (message[key] === undefined) delete message[key]
    yield message
  }
}

const lineNumbers = new WeakMap<object, number>()

/** The input line a message read by readNdjson came from. */
export function lineOf(message: OutgoingMessage): number | undefined {
  return lineNumbers.get(message as object)
}

/**
 * NDJSON message objects, one a line, parsed as they are read (constant memory). Aborting `signal`
 * stops reading at once: the input is closed and the stream ends after the lines already read.
 */
export async function* readNdjson(source: {
  file?: string
  stdin?: NodeJS.ReadStream
  signal?: AbortSignal
}): AsyncGenerator<OutgoingMessage> {
  const fromFile = source.file !== undefined && source.file !== '-'
  if (fromFile) {
    await access(source.file as string).catch((error: Error) => {
      throw new UsageError(`cannot read ${source.file}: ${error.message}`)
    })
  }
  const input = fromFile ? createReadStream(source.file as string) : (source.stdin ?? process.stdin)
  if (!fromFile && (input as NodeJS.ReadStream).isTTY) {
    throw new UsageError('--ndjson reads messages from --file or stdin', {
      hint: 'Pipe NDJSON in, e.g. qjob peek --ndjson | qjob send --ndjson -q other.',
    })
  }
  const lines = createInterface({input, crlfDelay: Infinity})
  const stop = () => {
    lines.close()
    ;(input as NodeJS.ReadableStream & {destroy?: () => void}).destroy?.()
  }
  if (source.signal?.aborted) return
  source.signal?.addEventListener('abort', stop, {once: true})
  let lineNumber = 0
  for await (const line of lines) {
    lineNumber++
    if (line.trim() === '') continue
    let parsed: unknown
    try {
      parsed = JSON.parse(line)
    } catch (error) {
      throw new UsageError(`line ${lineNumber}: not valid JSON (${(error as Error).message})`)
    }
    const message = fromMessageJson(parsed, `line ${lineNumber}`)
    lineNumbers.set(message as object, lineNumber)
    yield message
  }
  source.signal?.removeEventListener('abort', stop)
}
