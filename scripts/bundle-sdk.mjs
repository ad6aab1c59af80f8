// Replaces dist/lib/servicebus/sdk.js (tsc's re-export of the Service Bus SDK's clients) and
// dist/lib/management/arm-sdk.js (the ARM SDK's) with loaders of one bundled CommonJS file each,
// compiled with a V8 code cache (scripts/code-cache-bundle.mjs). The caches are written after
// warm-ups against an in-process emulator: a send, a peek, a receive and complete, and a queue's
// runtime properties over ATOM (plain HTTP, as qjob talks to the emulator); a queue read over ARM.
// Runs after tsc (it needs dist/emulator).
import {buildCachedBundle} from './code-cache-bundle.mjs'

/** A warm-up script: `body` runs with `emulator` (in memory, one queue "warm-up") and the loader's exports in scope. */
function againstEmulator(loader, exports, body) {
  return `
const {startServiceBusEmulator} = await import('./dist/emulator/servicebus/index.js')
const {${exports.join(', ')}} = await import('./${loader}')
const emulator = await startServiceBusEmulator({port: 0, inMemory: true, queues: [{name: 'warm-up'}]})
try {
${body}
} finally {
  await emulator.close()
}
`
}

/** Bundles one SDK entry; @azure/logger and debug stay outside, so sdk-logging.ts redacts the loggers it uses. */
async function bundleSdk({entry, loader, exports, what, warmUp}) {
  await buildCachedBundle({
    entry,
    loader,
    exports,
    what,
    external: ['@azure/logger', 'debug'],
    warmUp: againstEmulator(loader, exports, warmUp),
  })
}

await bundleSdk({
  entry: 'src/lib/servicebus/sdk.ts',
  loader: 'dist/lib/servicebus/sdk.js',
  exports: ['ServiceBusAdministrationClient', 'ServiceBusClient'],
  what: "the Service Bus SDK's clients",
  warmUp: `
  const client = new ServiceBusClient(emulator.connectionString)
  const sender = client.createSender('warm-up')
  await sender.sendMessages({body: 'warm-up', applicationProperties: {kind: 'warm-up'}})
  const receiver = client.createReceiver('warm-up')
  await receiver.peekMessages(1)
  const [message] = await receiver.receiveMessages(1, {maxWaitTimeInMs: 5000})
  await receiver.completeMessage(message)
  await client.close()
  const admin = new ServiceBusAdministrationClient(emulator.connectionString)
  // As qjob does for the emulator (management/atom.ts): its admin API over plain HTTP.
  admin.pipeline.addPolicy({
    name: 'warm-up-http',
    sendRequest: (request, next) => next(Object.assign(request, {url: request.url.replace(/^https:/, 'http:'), allowInsecureConnection: true})),
  })
  await admin.getQueueRuntimeProperties('warm-up')`,
})

await bundleSdk({
  entry: 'src/lib/management/arm-sdk.ts',
  loader: 'dist/lib/management/arm-sdk.js',
  exports: ['ServiceBusManagementClient'],
  what: "the ARM SDK's Service Bus client",
  warmUp: `
  const credential = {getToken: async () => ({token: emulator.armToken, expiresOnTimestamp: Date.now() + 3_600_000})}
  const client = new ServiceBusManagementClient(credential, 'warm-up', {endpoint: emulator.armEndpoint, tlsOptions: {ca: emulator.certificate.cert}})
  await client.queues.get('local', 'qjob-emulator', 'warm-up')`,
})
