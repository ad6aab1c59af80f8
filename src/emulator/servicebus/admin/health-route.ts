// `GET /health`, as Microsoft's Service Bus emulator serves it (on its HTTP management port) for
// container health checks and CI wait loops: no auth, 200 with a small JSON body once the
// emulator is serving. The emulator only builds this route after the broker has opened, so a
// connection that reaches it means AMQP and the admin API are up on the same port.
import type {IncomingMessage, ServerResponse} from 'node:http'

import type {ExtraRoute} from './http-listener.js'

export const HEALTH_PATH = '/health'

export function healthRoute(status: () => Record<string, unknown>): ExtraRoute {
  return {
    matches: url => url.split('?')[0].toLowerCase() === HEALTH_PATH,
    handle(request: IncomingMessage, response: ServerResponse) {
      const allowed = request.method === 'GET' || request.method === 'HEAD'
      const body = allowed ? JSON.stringify({status: 'Healthy', ...status()}) : JSON.stringify({status: 'MethodNotAllowed'})
      response.writeHead(allowed ? 200 : 405, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        ...(allowed ? {} : {allow: 'GET, HEAD'}),
      })
      response.end(request.method === 'HEAD' ? undefined : body)
    },
  }
}
