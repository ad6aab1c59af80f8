// rhea writes every frame with a socket write of its own, and an idle socket turns each into a
// system call: a worker's job (a transfer, a flow, a settlement, a lock renewal's answer) cost the
// emulator several. Corking the socket at its first write in a tick and uncorking on the next
// tick sends everything written in between as one writev. Nothing waits longer: the bytes leave
// before the event loop turns.
import type {Duplex} from 'node:stream'

export function coalesceWrites(socket: Duplex): void {
  const write = socket.write
  let corked = false
  const uncork = () => {
    corked = false
    socket.uncork()
  }
  socket.write = function (this: Duplex, ...args: Parameters<Duplex['write']>) {
    if (!corked) {
      corked = true
      socket.cork()
      process.nextTick(uncork)
    }
    return write.apply(this, args)
  } as Duplex['write']
}
