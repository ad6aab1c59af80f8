// Runs a durable emulator in its own process (for the topics kill -9 test): argv[2] = data dir.
// Creates topic `fan` with subscriptions `all`, `even` (SQL) and `tagged` (correlation) on the
// first start; prints one JSON line {connectionString} when listening.
import {startServiceBusEmulator} from '../../../src/emulator/servicebus/index.js'

const emulator = await startServiceBusEmulator({port: 0, dataDir: process.argv[2]})
const {topics} = emulator.broker
if (!topics.get('fan')) {
  await topics.create('fan')
  await topics.createSubscription('fan', 'all')
  await topics.createSubscription('fan', 'even', {}, {name: 'even', filter: {kind: 'sql', sqlExpression: 'n % 2 = 0'}, createdAt: 0})
  await topics.createSubscription('fan', 'tagged', {}, {name: 'tagged', filter: {kind: 'correlation', subject: 'tag'}, createdAt: 0})
}
process.stdout.write(`${JSON.stringify({connectionString: emulator.connectionString})}\n`)
