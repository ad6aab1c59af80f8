// A message without a session id sent to a topic with a requires-session subscription: Azure
// accepts the send, and that subscription's copy goes to its dead-letter queue with reason
// "Session id is null." (reported in azure-service-bus#196 and azure-sdk-for-js#1118); other
// subscriptions get theirs. A rule action that sets sys.SessionId gives the copy a session first.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {startTestEmulator} from '../helpers.js'

test('a session-less message is dead-lettered in a requires-session subscription, as Azure does', async () => {
  const t = await startTestEmulator()
  try {
    const {broker} = t.emulator
    await broker.topics.create('orders')
    await broker.topics.createSubscription('orders', 'plain')
    await broker.topics.createSubscription('orders', 'by-session', {requiresSession: true})
    await broker.topics.createSubscription(
      'orders',
      'sessioned-by-rule',
      {requiresSession: true},
      {name: 'assign', filter: {kind: 'true'}, action: {sqlExpression: "SET sys.SessionId = 'assigned'"}, createdAt: 0},
    )
    await t.client.createSender('orders').sendMessages({body: 'no session', messageId: 'm-1'})

    const plain = t.client.createReceiver('orders', 'plain', {receiveMode: 'receiveAndDelete'})
    assert.deepEqual(
      (await plain.receiveMessages(1, {maxWaitTimeInMs: 2000})).map(m => m.body),
      ['no session'],
    )
    const dlq = t.client.createReceiver('orders', 'by-session', {subQueueType: 'deadLetter'})
    const [dead] = await dlq.receiveMessages(1, {maxWaitTimeInMs: 2000})
    assert.equal(dead?.body, 'no session')
    assert.equal(dead.deadLetterReason, 'Session id is null.')
    assert.equal(dead.deadLetterErrorDescription, "Session enabled entity doesn't allow a message whose session identifier is null.")
    await dlq.completeMessage(dead)
    assert.equal(broker.runtimeCounts('orders/Subscriptions/by-session').activeMessageCount, 0)

    const session = await t.client.acceptSession('orders', 'sessioned-by-rule', 'assigned')
    const [assigned] = await session.receiveMessages(1, {maxWaitTimeInMs: 2000})
    assert.equal(assigned?.body, 'no session')
    await session.completeMessage(assigned)
    assert.equal(broker.runtimeCounts('orders/Subscriptions/sessioned-by-rule').deadLetterMessageCount, 0)
  } finally {
    await t.stop()
  }
})
