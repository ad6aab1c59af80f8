// Durability: the emulator runs in a child process on a data dir; the SDK sends (single and
// batch, concurrently), completes and dead-letters; then the child is killed with SIGKILL while
// sends are still under way. After a restart on the same dir every acknowledged message is
// there, completed ones are not, and sequence numbers continue.
import assert from 'node:assert/strict'
import {spawn, type ChildProcess} from 'node:child_process'
import {once} from 'node:events'
import {createInterface} from 'node:readline'
import {test} from 'node:test'

import {ServiceBusClient, type ServiceBusReceivedMessage} from '@azure/service-bus'

import {tempDir} from '../helpers/cli.js'
import {FAST_FAIL} from './helpers.js'

const QUEUES = JSON.stringify([{name: 'durable'}])
const fixture = new URL('./fixtures/run-emulator.ts', import.meta.url).pathname

async function startChild(dataDir: string): Promise<{child: ChildProcess; connectionString: string}> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, dataDir, QUEUES], {stdio: ['ignore', 'pipe', 'inherit']})
  const lines = createInterface({input: child.stdout!})
  const [line] = (await Promise.race([once(lines, 'line'), once(child, 'exit').then(() => [undefined])])) as [string | undefined]
  if (!line) throw new Error('the emulator child exited before listening')
  return {child, connectionString: JSON.parse(line).connectionString}
}

async function drain(client: ServiceBusClient, subQueueType?: 'deadLetter'): Promise<ServiceBusReceivedMessage[]> {
  const receiver = client.createReceiver('durable', {receiveMode: 'receiveAndDelete', subQueueType})
  const all: ServiceBusReceivedMessage[] = []
  for (;;) {
    const batch = await receiver.receiveMessages(500, {maxWaitTimeInMs: 700})
    if (batch.length === 0) break
    all.push(...batch)
  }
  await receiver.close()
  return all
}

test('acknowledged messages survive kill -9; completed ones do not come back; sequence numbers continue', async () => {
  const dir = tempDir('qjob-sb-durable-')
  const started = Date.now()
  const mark = (what: string) => process.env.QJOB_TEST_TIMING && console.log(`${Date.now() - started} ms: ${what}`)
  let child: ChildProcess | undefined
  let client: ServiceBusClient | undefined
  try {
    const first = await startChild(dir.path)
    child = first.child
    client = new ServiceBusClient(first.connectionString, FAST_FAIL)
    const sender = client.createSender('durable')

    // 1. Acknowledged work before the crash: singles, arrays and a batch, concurrently.
    const acked = new Set<string>()
    const sendOne = (id: string) => sender.sendMessages({body: {id}, messageId: id}).then(() => acked.add(id))
    await Promise.all(Array.from({length: 100}, (_, i) => sendOne(`single-${i}`)))
    await Promise.all(
      Array.from({length: 10}, (_, i) =>
        sender
          .sendMessages(Array.from({length: 20}, (_, j) => ({body: {id: `array-${i}-${j}`}, messageId: `array-${i}-${j}`})))
          .then(() => {
            for (let j = 0; j < 20; j++) acked.add(`array-${i}-${j}`)
          }),
      ),
    )

    mark('sent')
    // 2. Settle some: completed ones must not come back, dead-lettered ones must stay dead.
    const receiver = client.createReceiver('durable', {maxAutoLockRenewalDurationInMs: 0})
    const received = await receiver.receiveMessages(40, {maxWaitTimeInMs: 5000})
    assert.equal(received.length, 40)
    const completed = new Set<string>()
    const deadLettered = new Set<string>()
    for (const [i, message] of received.entries()) {
      if (i % 4 === 0) {
        await receiver.deadLetterMessage(message, {deadLetterReason: 'test', deadLetterErrorDescription: 'durability test'})
        deadLettered.add(message.messageId as string)
      } else {
        await receiver.completeMessage(message)
        completed.add(message.messageId as string)
      }
    }
    const maxSequence = Math.max(...received.map(m => m.sequenceNumber!.toNumber()))

    mark('settled')
    // 3. Kill -9 while more sends are in flight; those acknowledged before the kill must survive.
    // (A second client with a short timeout: its sends cut off by the kill fail fast.)
    const lateClient = new ServiceBusClient(first.connectionString, {retryOptions: {maxRetries: 0, timeoutInMs: 1000}})
    const lateSender = lateClient.createSender('durable')
    let stop = false
    const inFlight = (async () => {
      for (let round = 0; !stop; round++) {
        await Promise.allSettled(
          Array.from({length: 20}, (_, i) => {
            const id = `late-${round}-${i}`
            return lateSender.sendMessages({body: {id}, messageId: id}).then(() => acked.add(id))
          }),
        )
      }
    })()
    while (acked.size < 400) await new Promise(resolve => setTimeout(resolve, 5))
    const ackedBeforeKill = new Set(acked)
    child.kill('SIGKILL')
    await once(child, 'exit')
    stop = true
    await inFlight
    await Promise.all([client.close(), lateClient.close()])

    mark('killed')
    // 4. Restart on the same data dir.
    const second = await startChild(dir.path)
    child = second.child
    client = new ServiceBusClient(second.connectionString, FAST_FAIL)
    const keyOf = (connectionString: string) => /SharedAccessKey=([^;]+)/.exec(connectionString)?.[1]
    assert.equal(keyOf(second.connectionString), keyOf(first.connectionString), 'the generated key is kept in the data dir')
    mark('restarted')
    const after = await drain(client)
    mark('drained')
    const afterIds = new Set(after.map(m => m.messageId as string))
    const missing = [...ackedBeforeKill].filter(id => !completed.has(id) && !deadLettered.has(id) && !afterIds.has(id))
    assert.deepEqual(missing, [], 'every acknowledged message is there')
    for (const id of completed) assert.ok(!afterIds.has(id), `completed ${id} came back`)
    for (const id of deadLettered) assert.ok(!afterIds.has(id), `dead-lettered ${id} is back in the queue`)
    const dead = await drain(client, 'deadLetter')
    assert.deepEqual(new Set(dead.map(m => m.messageId)), deadLettered)
    assert.ok(dead.every(m => m.deadLetterReason === 'test'))
    const sequenceNumbers = after.map(m => m.sequenceNumber!.toNumber())
    assert.equal(new Set(sequenceNumbers).size, sequenceNumbers.length, 'sequence numbers are unique')

    await client.createSender('durable').sendMessages({body: 'after restart'})
    const [fresh] = await client.createReceiver('durable', {receiveMode: 'receiveAndDelete'}).receiveMessages(1, {maxWaitTimeInMs: 5000})
    assert.equal(fresh.body, 'after restart')
    const highest = Math.max(maxSequence, ...sequenceNumbers, ...dead.map(m => m.sequenceNumber!.toNumber()))
    assert.ok(fresh.sequenceNumber!.toNumber() > highest, `sequence numbers continue (${fresh.sequenceNumber} > ${highest})`)
  } finally {
    await client?.close()
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await once(child, 'exit')
    }
    dir.cleanup()
  }
})
