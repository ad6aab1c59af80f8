// rhea merges dispositions queued in one tick into ranges with the first one's outcome, so a complete
// and a dead-letter settled side by side could both go out as completes (the dead letter lost). A
// receiver wrapped by withOrderedSettlements keeps each outcome, however the calls interleave.
import assert from 'node:assert/strict'
import {after, before, test} from 'node:test'

import {withOrderedSettlements} from '../../src/lib/servicebus/settlement-order.js'
import {startTestEmulator, type TestEmulator} from '../emulator/helpers.js'

let t: TestEmulator
before(async () => {
  t = await startTestEmulator({queues: [{name: 'mixed'}]})
})
after(() => t.stop())

test('completes, dead-letters and abandons issued in one tick through the wrapper keep their own outcomes', async () => {
  await t.client.createSender('mixed').sendMessages(Array.from({length: 12}, (_, i) => ({body: i})))
  const raw = t.client.createReceiver('mixed')
  const receiver = withOrderedSettlements(raw)
  const messages = []
  while (messages.length < 12) messages.push(...(await receiver.receiveMessages(12 - messages.length, {maxWaitTimeInMs: 2000})))
  await Promise.all(
    messages.map((message, i) =>
      i % 3 === 0
        ? receiver.completeMessage(message)
        : i % 3 === 1
          ? receiver.deadLetterMessage(message, {deadLetterReason: 'Odd', deadLetterErrorDescription: 'an odd one'})
          : receiver.abandonMessage(message),
    ),
  )
  const counts = t.emulator.broker.runtimeCounts('mixed')
  assert.equal(counts.deadLetterMessageCount, 4, 'every dead letter arrived')
  assert.equal(counts.activeMessageCount, 4, 'every abandoned message is back')
  // Everything else passes through to the receiver itself.
  assert.equal(receiver.entityPath, 'mixed')
  await receiver.close()
  assert.equal(raw.isClosed, true)
})
