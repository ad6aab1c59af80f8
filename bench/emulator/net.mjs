// Network helpers shared by the emulator benchmarks.
import {once} from 'node:events'
import {connect, createServer} from 'node:net'

export async function freePort() {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const {port} = server.address()
  await new Promise(resolve => server.close(resolve))
  return port
}

export function canConnect(port) {
  return new Promise(resolve => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}
