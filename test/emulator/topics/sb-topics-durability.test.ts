// Topic durability: the emulator runs in a child on a data dir; the SDK sends to a topic with
// three subscriptions (a SQL filter, a correlation filter, $Default) while a receiver completes
// some copies; then the child is killed with SIGKILL mid-send. After a restart every
// acknowledged send has its copy in each matching subscription exactly once (copies are one
// batch record: all or none), completed copies stay gone, and sequence numbers continue.
import assert from 'node:assert/strict'
import {spawn, type ChildProcess} from 'node:child_process'
import {once} from 'node:events'
import {createInterface} from 'node:readline'
import {test} from 'node:test'

import {ServiceBusClient, type ServiceBusReceivedMessage} from '@azure/service-bus'

import {tempDir} from '../../helpers/cli.js'
import {FAST_FAIL} from '../helpers.js'

const fixture = new URL('./run-topic-emulator.ts', import.meta.url).pathname

async function startChild(dataDir: string): Promise<{child: ChildProcess; connectionString: string}> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, dataDir], {stdio: ['ignore', 'pipe', 'inherit']})
  const lines = createInterface({input: child.stdout!})
  const [line] = (await Promise.race([once(lines, 'line'), once(child, 'exit').then(() => [undefined])])) as [string | undefined]
  if (!line) throw new Error('the emulator child exited before listening')
  return {child, connectionString: JSON.parse(line).connectionString}
}

async function drain(client: ServiceBusClient, subscription: string): Promise<ServiceBusReceivedMessage[]> {
  const receiver = client.createReceiver('fan', subscription, {receiveMode: 'receiveAndDelete'})
  const all: ServiceBusReceivedMessage[] = []
  for (;;) {
    const batch = await receiver.receiveMessages(500, {maxWaitTimeInMs: 700})
    if (batch.length === 0) break
    all.push(...batch)
  }
  await receiver.close()
  return all
}

test('topic copies survive kill -9 all together, once each; completed copies do not come back', async () => {
  const dir = tempDir('qjob-sb-topics-')
  let child: ChildProcess | undefined
  try {
    const first = await startChild(dir.path)
    child = first.child
    const client = new ServiceBusClient(first.connectionString, FAST_FAIL)
    const sender = client.createSender('fan')
    const acknowledged: number[] = []
    const send = async (n: number) => {
      await sender.sendMessages({body: n, subject: n % 3 === 0 ? 'tag' : undefined, applicationProperties: {n}})
      acknowledged.push(n)
    }
    for (let n = 0; n < 60; n++) await send(n)
    // Complete the first ten copies of `all`.
    const receiver = client.createReceiver('fan', 'all')
    const completed: number[] = []
    while (completed.length < 10) {
      for (const message of await receiver.receiveMessages(10 - completed.length, {maxWaitTimeInMs: 2000})) {
        await receiver.completeMessage(message)
        completed.push(message.body as number)
      }
    }
    const lastSequence = (await receiver.peekMessages(100)).at(-1)!.sequenceNumber!.toNumber()
    // Sends in flight while the child is killed: those acknowledged must survive.
    const inFlight = Array.from({length: 40}, (_, i) => send(100 + i).catch(() => undefined))
    await new Promise(resolve => setTimeout(resolve, 5))
    child.kill('SIGKILL')
    await once(child, 'exit')
    await Promise.allSettled(inFlight)
    await client.close().catch(() => undefined)

    const second = await startChild(dir.path)
    child = second.child
    const after = new ServiceBusClient(second.connectionString, FAST_FAIL)
    const all = (await drain(after, 'all')).map(message => message.body as number)
    const even = (await drain(after, 'even')).map(message => message.body as number)
    const tagged = (await drain(after, 'tagged')).map(message => message.body as number)
    for (const n of acknowledged) {
      if (!completed.includes(n)) assert.ok(all.includes(n), `acknowledged ${n} is in 'all'`)
      if (n % 2 === 0) assert.ok(even.includes(n), `acknowledged ${n} is in 'even'`)
      if (n % 3 === 0) assert.ok(tagged.includes(n), `acknowledged ${n} is in 'tagged'`)
    }
    for (const n of completed) assert.ok(!all.includes(n), `completed ${n} stays completed`)
    for (const list of [all, even, tagged]) assert.equal(new Set(list).size, list.length, 'no duplicates')
    // All or nothing per send: a copy in one subscription means copies in every matching one.
    for (const n of all) {
      if (n % 2 === 0) assert.ok(even.includes(n), `${n} in 'all' and in 'even'`)
      if (n % 3 === 0) assert.ok(tagged.includes(n), `${n} in 'all' and in 'tagged'`)
    }
    await after.createSender('fan').sendMessages({body: 'next', applicationProperties: {n: 1}})
    const [next] = await after.createReceiver('fan', 'all').receiveMessages(1, {maxWaitTimeInMs: 2000})
    assert.ok(next.sequenceNumber!.toNumber() > lastSequence, 'sequence numbers continue')
    await after.close()
  } finally {
    child?.kill('SIGKILL')
    dir.cleanup()
  }
})
