// The TLS rendezvous endpoint for attached one-off dynos: the client connects, writes
// `SECRET\r\n`, reads one greeting line, and from then on the socket carries the dyno's output (and
// the client's input). attach_url is rendezvous://HOST:PORT/SECRET.
import {randomBytes} from 'node:crypto'
import type {AddressInfo, Socket} from 'node:net'
import tls from 'node:tls'

/** Gets the socket paused; it calls resume() when it is ready to read the client's input. */
export type AttachHandler = (socket: tls.TLSSocket) => void

interface Pending {
  onAttach: AttachHandler
  timer: NodeJS.Timeout
}

const MAX_SECRET_LINE = 512

export class RendezvousServer {
  private readonly pending = new Map<string, Pending>()
  private readonly sockets = new Set<tls.TLSSocket>()
  private readonly connections = new Set<Socket>()

  private constructor(
    private readonly server: tls.Server,
    private readonly host: string,
  ) {
    server.on('secureConnection', socket => this.accept(socket))
    // A client that fails the TLS handshake is simply dropped (half-open sockets never close alone).
    server.on('tlsClientError', (_error, socket) => socket.destroy())
    server.on('connection', (socket: Socket) => {
      this.connections.add(socket)
      socket.on('close', () => this.connections.delete(socket))
    })
  }

  static async start(options: {host: string; cert: string; key: string}): Promise<RendezvousServer> {
    // Half-open: a client that ends its input (EOF) still reads the dyno's output to the end.
    const server = tls.createServer({cert: options.cert, key: options.key, allowHalfOpen: true})
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, options.host, () => resolve())
    })
    return new RendezvousServer(server, options.host)
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port
  }

  /** A new attach URL; onAttach runs when a client presents its secret, onTimeout if none does. */
  register(onAttach: AttachHandler, timeoutMs: number, onTimeout: () => void): {url: string; cancel: () => void} {
    const secret = randomBytes(24).toString('hex')
    const timer = setTimeout(() => {
      this.pending.delete(secret)
      onTimeout()
    }, timeoutMs)
    timer.unref()
    this.pending.set(secret, {onAttach, timer})
    const host = this.host.includes(':') ? `[${this.host}]` : this.host
    return {
      url: `rendezvous://${host}:${this.port}/${secret}`,
      cancel: () => {
        clearTimeout(timer)
        this.pending.delete(secret)
      },
    }
  }

  private accept(socket: tls.TLSSocket): void {
    this.sockets.add(socket)
    socket.on('close', () => this.sockets.delete(socket))
    socket.on('error', () => socket.destroy())
    let buffered = Buffer.alloc(0)
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk])
      const end = buffered.indexOf('\n')
      if (end === -1) {
        if (buffered.length > MAX_SECRET_LINE) socket.destroy()
        return
      }
      socket.off('data', onData)
      socket.pause()
      const secret = buffered.subarray(0, end).toString('utf8').trim()
      const rest = buffered.subarray(end + 1)
      const entry = this.pending.get(secret)
      if (!entry) {
        socket.end('rendezvous: unknown or expired secret\r\n')
        return
      }
      this.pending.delete(secret)
      clearTimeout(entry.timer)
      if (rest.length > 0) socket.unshift(rest)
      socket.write('rendezvous\r\n')
      // Still paused: the handler resumes it once it reads the input (nothing typed early is lost).
      entry.onAttach(socket)
    }
    socket.on('data', onData)
  }

  async close(): Promise<void> {
    for (const {timer} of this.pending.values()) clearTimeout(timer)
    this.pending.clear()
    for (const socket of this.sockets) socket.destroy()
    for (const socket of this.connections) socket.destroy()
    await new Promise<void>(resolve => this.server.close(() => resolve()))
  }
}
