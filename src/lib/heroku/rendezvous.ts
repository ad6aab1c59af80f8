// Attaching to a one-off dyno: connect with TLS to the attach_url (rendezvous://HOST:PORT/SECRET),
// write `SECRET\r\n`, drop the first line, then copy the dyno's output. The command was sent with
// an exit-status marker appended; the marker line is removed from the output and read for the code.
// Input goes the other way: piped stdin is copied and its end half-closes the connection (EOF for
// the dyno); on a terminal, stdin is raw, so Ctrl-C and Ctrl-D reach the dyno's own terminal
// (four Ctrl-C within a second disconnect, as with the Heroku CLI).
import {isIP} from 'node:net'
import tls from 'node:tls'

import {OperationError} from '../../common/errors.js'

const MARKER = '\uFFFF heroku-command-exit-status: '
const MARKER_LINE = /^\uFFFF heroku-command-exit-status: (\d+)\s*$/

/** The command as sent: it echoes its own exit status last, as the Heroku CLI does. */
export function withExitMarker(command: string): string {
  return `${command}; echo "${MARKER}$?"`
}

/**
 * Splits the stream into the command's output and the exit status. Text is held back only from a
 * U+FFFF until the end of its line, so output stays live.
 */
export class ExitMarkerFilter {
  exitCode?: number
  private pending = ''

  constructor(private readonly emit: (text: string) => void) {}

  push(text: string): void {
    this.pending += text
    for (;;) {
      const start = this.pending.indexOf('\uFFFF')
      if (start === -1) {
        this.flush()
        return
      }
      if (start > 0) {
        this.emit(this.pending.slice(0, start))
        this.pending = this.pending.slice(start)
      }
      const end = this.pending.indexOf('\n')
      if (end === -1) return
      const line = this.pending.slice(0, end).replace(/\r$/, '')
      const match = MARKER_LINE.exec(line)
      if (match) this.exitCode = Number(match[1])
      else this.emit(this.pending.slice(0, end + 1))
      this.pending = this.pending.slice(end + 1)
    }
  }

  /** The rest (at the end of the stream). */
  flush(): void {
    if (this.pending !== '') this.emit(this.pending)
    this.pending = ''
  }
}

export interface AttachOptions {
  write: (text: string) => void
  signal?: AbortSignal
  /** Connection timeout (ms). */
  timeoutMs?: number
  /** Extra CA certificates (PEM) to trust besides the usual ones, e.g. the local emulator's. */
  extraCa?: string
  /** Forwarded to the dyno once attached (process.stdin). */
  stdin?: NodeJS.ReadStream | NodeJS.ReadableStream
  /** stdin is a terminal the dyno's terminal takes over: raw mode while attached. */
  tty?: boolean
}

/** Copies input to the dyno; returns how to stop. */
function forwardInput(socket: tls.TLSSocket, options: AttachOptions, onForcedExit: () => void): () => void {
  const stdin = options.stdin
  if (!stdin) return () => undefined
  const raw = options.tty === true && 'setRawMode' in stdin && typeof stdin.setRawMode === 'function'
  if (raw) (stdin as NodeJS.ReadStream).setRawMode(true)
  let interrupts: number[] = []
  const onData = (chunk: Buffer | string) => {
    if (raw && chunk.toString() === '') {
      const now = Date.now()
      interrupts = [...interrupts.filter(time => time > now - 1000), now]
      if (interrupts.length >= 4) return onForcedExit()
    }
    if (!socket.destroyed) socket.write(chunk)
  }
  const onEnd = () => {
    if (!socket.destroyed) socket.end()
  }
  stdin.on('data', onData)
  stdin.once('end', onEnd)
  stdin.resume()
  return () => {
    stdin.off('data', onData)
    stdin.off('end', onEnd)
    stdin.pause()
    if (raw) (stdin as NodeJS.ReadStream).setRawMode(false)
  }
}

export interface AttachResult {
  exitCode?: number
  interrupted: boolean
}

export function parseRendezvousUrl(url: string): {host: string; port: number; secret: string} {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new OperationError(`the API returned an attach URL qjob cannot read: ${url}`)
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1')
  const port = Number(parsed.port || 5000)
  const secret = decodeURIComponent(parsed.pathname.replace(/^\//, ''))
  if (parsed.protocol !== 'rendezvous:' || !host || !secret)
    throw new OperationError(`the API returned an attach URL qjob cannot read: ${url}`)
  return {host, port, secret}
}

export function attachToDyno(url: string, options: AttachOptions): Promise<AttachResult> {
  const {host, port, secret} = parseRendezvousUrl(url)
  return new Promise((resolve, reject) => {
    const ca = options.extraCa ? [...tls.rootCertificates, options.extraCa] : undefined
    const socket = tls.connect({host, port, servername: isIP(host) ? undefined : host, ca})
    const filter = new ExitMarkerFilter(options.write)
    let greeted = false
    let interrupted = false
    let settled = false
    let stopInput = () => undefined as void
    const finish = (error?: Error) => {
      if (settled) return
      settled = true
      stopInput()
      options.signal?.removeEventListener('abort', onAbort)
      if (error) reject(error)
      else {
        filter.flush()
        resolve({exitCode: filter.exitCode, interrupted})
      }
    }
    const onAbort = () => {
      interrupted = true
      socket.destroy()
      finish()
    }
    if (options.signal?.aborted) return onAbort()
    options.signal?.addEventListener('abort', onAbort)
    socket.setTimeout(options.timeoutMs ?? 30_000, () => {
      if (!greeted) socket.destroy(new Error('timed out'))
    })
    socket.setEncoding('utf8')
    socket.once('secureConnect', () => socket.write(`${secret}\r\n`))
    let head = ''
    socket.on('data', (chunk: string) => {
      if (!greeted) {
        head += chunk
        const end = head.indexOf('\n')
        if (end === -1) return
        greeted = true
        socket.setTimeout(0)
        stopInput = forwardInput(socket, options, onAbort)
        chunk = head.slice(end + 1)
        if (chunk === '') return
      }
      filter.push(chunk)
    })
    socket.on('error', error => {
      const reason = (error as NodeJS.ErrnoException).code ?? error.message
      finish(
        new OperationError(`cannot attach to the dyno at ${host}:${port}: ${reason}`, {
          hint:
            reason.includes('CERT') || reason.includes('SELF_SIGNED')
              ? 'For the local emulator, set NODE_EXTRA_CA_CERTS to its certificate ("qjob emulator env" prints it).'
              : 'Try --detach and follow it with "qjob logs -t".',
        }),
      )
    })
    socket.on('close', () => finish())
  })
}
