// A Service Bus emulator in its own process, for benchmarks that need its RSS, its start-up and its
// restart on their own (not mixed with the SDK client's): `fork` this file with a JSON options
// argument ({dataDir} or {inMemory: true}, plus queues). It sends {type: 'ready', connectionString,
// openMs} once startServiceBusEmulator() resolves (openMs: that call alone, i.e. the log replay
// and listening), and answers {type: 'rss'} (after a GC when run with --expose-gc), {type:
// 'counts', queue} and {type: 'close'} over IPC. Needs dist/ (npm run build).
import {performance} from 'node:perf_hooks'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '../..')
const options = JSON.parse(process.argv[2])
const {startServiceBusEmulator} = await import(join(root, 'dist/emulator/servicebus/index.js'))
const started = performance.now()
const emulator = await startServiceBusEmulator({port: 0, ...options})
const openMs = performance.now() - started

process.on('message', async request => {
  if (request.type === 'rss') {
    globalThis.gc?.()
    await new Promise(resolve => setTimeout(resolve, 50))
    globalThis.gc?.()
    const memory = process.memoryUsage()
    process.send({
      type: 'rss',
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      heapTotal: memory.heapTotal,
      external: memory.external,
      arrayBuffers: memory.arrayBuffers,
    })
  } else if (request.type === 'counts') {
    process.send({type: 'counts', counts: emulator.broker.runtimeCounts(request.queue)})
  } else if (request.type === 'close') {
    await emulator.close()
    process.exit(0)
  }
})
process.on('SIGTERM', () => emulator.close().then(() => process.exit(0)))
process.send({type: 'ready', connectionString: emulator.connectionString, openMs, sinceProcessStartMs: performance.now()})
