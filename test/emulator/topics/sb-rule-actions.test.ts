// SQL rule actions on system properties, through the real SDK and admin client: `SET sys.Label`
// and the other settable system properties change the subscription's copy only (other
// subscriptions get the message as sent); REMOVE clears one; a SessionId set by an action puts
// the copy into that session; read-only system properties are refused at rule creation.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import type {ServiceBusReceivedMessage} from '@azure/service-bus'

import {adminClient} from '../admin-helpers.js'
import {startTestEmulator} from '../helpers.js'

test("a rule action's SET sys.* and REMOVE sys.* change that subscription's copy only", async () => {
  const t = await startTestEmulator()
  try {
    const admin = adminClient(t.emulator)
    await admin.createTopic('mail')
    await admin.createSubscription('mail', 'plain')
    await admin.createSubscription('mail', 'relabelled')
    await admin.deleteRule('mail', 'relabelled', '$Default')
    await admin.createRule('mail', 'relabelled', 'label', {sqlExpression: '1 = 1'}, {sqlExpression: "SET sys.label = 'x'"})
    await admin.createSubscription('mail', 'rewritten', {
      defaultRuleOptions: {
        name: 'rewrite',
        filter: {sqlExpression: 'EXISTS(kind)'},
        action: {
          sqlExpression:
            "SET sys.To = 'to-' + kind; SET sys.ReplyTo = 'replies'; SET sys.ContentType = 'text/plain'; " +
            "SET sys.MessageId = sys.MessageId + '-copy'; SET sys.ReplyToSessionId = 'rs'; SET sys.SessionId = 'S1'; " +
            "SET sys.PartitionKey = 'p-' + kind; SET sys.ViaPartitionKey = 'via'; " +
            'REMOVE sys.CorrelationId; SET seenLabel = sys.Label; SET seenKey = sys.PartitionKey',
        },
      },
    })
    await t.client.createSender('mail').sendMessages({
      body: 'hello',
      messageId: 'm-1',
      subject: 'original',
      correlationId: 'c-1',
      contentType: 'application/json',
      partitionKey: 'p-0',
      applicationProperties: {kind: 'invoice'},
    })
    const one = async (subscription: string): Promise<ServiceBusReceivedMessage> => {
      const receiver = t.client.createReceiver('mail', subscription, {receiveMode: 'receiveAndDelete'})
      const [message] = await receiver.receiveMessages(1, {maxWaitTimeInMs: 2000})
      await receiver.close()
      assert.ok(message, `a copy in ${subscription}`)
      return message
    }
    const relabelled = await one('relabelled')
    assert.equal(relabelled.subject, 'x')
    assert.equal(relabelled.body, 'hello')
    assert.equal(relabelled.messageId, 'm-1')
    const plain = await one('plain')
    assert.equal(plain.subject, 'original', 'other subscriptions see the message as sent')
    assert.equal(plain.correlationId, 'c-1')
    const rewritten = await one('rewritten')
    assert.equal(rewritten.to, 'to-invoice')
    assert.equal(rewritten.replyTo, 'replies')
    assert.equal(rewritten.contentType, 'text/plain')
    assert.equal(rewritten.messageId, 'm-1-copy')
    assert.equal(rewritten.replyToSessionId, 'rs')
    assert.equal(rewritten.sessionId, 'S1')
    assert.equal(rewritten.correlationId, undefined)
    assert.equal(rewritten.subject, 'original')
    assert.equal(rewritten.partitionKey, 'p-invoice')
    assert.equal(rewritten._rawAmqpMessage.messageAnnotations?.['x-opt-via-partition-key'], 'via')
    assert.equal(plain.partitionKey, 'p-0')
    assert.deepEqual(rewritten.applicationProperties, {kind: 'invoice', seenLabel: 'original', seenKey: 'p-invoice'})

    // An action that sets a read-only system property is refused when the rule is created.
    const refused = await admin
      .createRule('mail', 'plain', 'bad', {sqlExpression: '1 = 1'}, {sqlExpression: 'SET sys.SequenceNumber = 1'})
      .then(
        () => undefined,
        (error: {statusCode?: number; message: string}) => error,
      )
    assert.equal(refused?.statusCode, 400)
    assert.match(refused?.message ?? '', /sys\.SequenceNumber is read-only/)
  } finally {
    await t.stop()
  }
})

test('a SessionId set by a rule action puts the copy into that session of a session subscription', async () => {
  const t = await startTestEmulator()
  try {
    const {broker} = t.emulator
    await broker.topics.create('jobs')
    await broker.topics.createSubscription(
      'jobs',
      'by-tenant',
      {requiresSession: true},
      {name: 'tenant', filter: {kind: 'true'}, action: {sqlExpression: 'SET sys.SessionId = tenant'}, createdAt: 0},
    )
    await t.client.createSender('jobs').sendMessages({body: 'work', sessionId: 'incoming', applicationProperties: {tenant: 'acme'}})
    const session = await t.client.acceptSession('jobs', 'by-tenant', 'acme')
    const [message] = await session.receiveMessages(1, {maxWaitTimeInMs: 2000})
    assert.equal(message?.body, 'work')
    assert.equal(message.sessionId, 'acme')
    await session.completeMessage(message)
    await session.close()
  } finally {
    await t.stop()
  }
})
