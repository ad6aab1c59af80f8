// Issue 17 item 11: Azure's entity naming rules and value ranges, over ATOM and ARM alike (both
// go through the broker's validation); deeply nested XML is a 400, not a 500.
import assert from 'node:assert/strict'
import {after, before, test} from 'node:test'

import {BrokerError} from '../../src/emulator/servicebus/broker/broker-error.js'
import {validateQueueName} from '../../src/emulator/servicebus/broker/queue-properties.js'
import {rawRequest} from './admin-helpers.js'
import {startTestEmulator, type TestEmulator} from './helpers.js'

let t: TestEmulator
before(async () => {
  t = await startTestEmulator({queues: [{name: 'existing'}]})
})
after(() => t.stop())

const ARM_QUEUES =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/providers/Microsoft.ServiceBus/namespaces/emulator/queues'

test('names follow Azure rules: no empty, "." or ".." segments, letters/digits at both ends, at most 260 characters', () => {
  for (const good of ['a', 'a/b', 'jobs.v2-high_prio', 'A1/b2/c3', 'x'.repeat(260)]) assert.equal(validateQueueName(good), good)
  for (const bad of ['a/../b', '..', 'a/./b', 'a/..', '/a', 'a/', 'a//b', 'a-', 'a.', '-a', 'a$b', 'a b', 'x'.repeat(261), '']) {
    assert.throws(
      () => validateQueueName(bad),
      (error: BrokerError) => error.code === 'BadRequest',
      bad,
    )
  }
})

test('ARM: a value out of range is 400 and creates nothing (maxMessageSizeInKilobytes 1e12 used to be accepted)', async () => {
  for (const properties of [{maxMessageSizeInKilobytes: 1e12}, {maxSizeInMegabytes: 1e9}, {maxDeliveryCount: 2 ** 40}]) {
    const response = await rawRequest(t.emulator, {
      scheme: 'https',
      method: 'PUT',
      path: `${ARM_QUEUES}/ranges?api-version=2021-11-01`,
      headers: {authorization: `Bearer ${t.emulator.armToken}`, 'content-type': 'application/json'},
      body: JSON.stringify({properties}),
    })
    assert.equal(response.status, 400, `${JSON.stringify(properties)}: ${response.body}`)
  }
  assert.equal(t.emulator.broker.getQueue('ranges'), undefined)
})

test('ATOM: deeply nested XML is 400, not 500', async () => {
  const depth = 50_000
  const body = `<entry xmlns="http://www.w3.org/2005/Atom"><content type="application/xml">${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</content></entry>`
  const root = t.emulator.policies[0]
  const response = await rawRequest(t.emulator, {
    scheme: 'https',
    method: 'PUT',
    path: '/deep?api-version=2021-05',
    headers: {'content-type': 'application/atom+xml'},
    body,
    sign: {keyName: root.keyName, key: root.primaryKey},
  })
  assert.equal(response.status, 400, response.body.slice(0, 300))
  assert.equal(t.emulator.broker.getQueue('deep'), undefined)
})
