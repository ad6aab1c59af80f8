// The unmodified ServiceBusAdministrationClient against the emulator's ATOM API over HTTPS on the
// AMQP port: the queue life cycle, defaults, refusals, paging, runtime counts and namespace info.
import assert from 'node:assert/strict'
import {after, before, describe, test} from 'node:test'

import type {ServiceBusAdministrationClient} from '@azure/service-bus'

import {adminClient, rawRequest} from './admin-helpers.js'
import {rejectionOf, startTestEmulator, type TestEmulator} from './helpers.js'

const ROOT = {keyName: 'Root', key: 'admin-root-key-0123456789'}
const FOREVER = 'P10675199DT2H48M5.4775807S'
let t: TestEmulator
let admin: ServiceBusAdministrationClient

before(async () => {
  t = await startTestEmulator({policies: [{name: ROOT.keyName, key: ROOT.key, rights: ['Manage', 'Listen', 'Send']}]})
  admin = adminClient(t.emulator)
})
after(() => t.stop())

describe('queue life cycle through the admin client', () => {
  test('create with many properties, get, update with If-Match, delete', async () => {
    const created = await admin.createQueue('jobs', {
      lockDuration: 'PT45S',
      maxSizeInMegabytes: 2048,
      maxDeliveryCount: 4,
      defaultMessageTimeToLive: 'P2D',
      deadLetteringOnMessageExpiration: true,
      requiresDuplicateDetection: true,
      duplicateDetectionHistoryTimeWindow: 'PT2M',
      enableBatchedOperations: false,
      userMetadata: 'team <ops> & "night"',
      maxMessageSizeInKilobytes: 512,
    })
    assert.equal(created.name, 'jobs')
    assert.equal(created._response.status, 201)
    // What the broker got: the xs:durations as milliseconds, every field by name.
    const stored = t.emulator.broker.getQueue('jobs')!
    assert.equal(stored.lockDurationMs, 45_000)
    assert.equal(stored.defaultMessageTimeToLiveMs, 2 * 24 * 3600_000)
    assert.equal(stored.duplicateDetectionHistoryTimeWindowMs, 120_000)
    assert.equal(stored.maxSizeInMegabytes, 2048)
    assert.equal(stored.maxDeliveryCount, 4)
    assert.equal(stored.deadLetteringOnMessageExpiration, true)
    assert.equal(stored.requiresDuplicateDetection, true)
    assert.equal(stored.enableBatchedOperations, false)
    assert.equal(stored.maxMessageSizeInKilobytes, 512)
    assert.equal(stored.userMetadata, 'team <ops> & "night"')

    const got = await admin.getQueue('jobs')
    assert.deepEqual(
      {...got},
      {
        name: 'jobs',
        forwardTo: undefined,
        userMetadata: 'team <ops> & "night"',
        lockDuration: 'PT45S',
        maxSizeInMegabytes: 2048,
        maxDeliveryCount: 4,
        enablePartitioning: false,
        requiresSession: false,
        enableBatchedOperations: false,
        defaultMessageTimeToLive: 'P2D',
        autoDeleteOnIdle: FOREVER,
        requiresDuplicateDetection: true,
        duplicateDetectionHistoryTimeWindow: 'PT2M',
        deadLetteringOnMessageExpiration: true,
        forwardDeadLetteredMessagesTo: undefined,
        authorizationRules: undefined,
        status: 'Active',
        enableExpress: false,
        availabilityStatus: 'Available',
        maxMessageSizeInKilobytes: 512,
      },
    )
    assert.equal(await admin.queueExists('jobs'), true)

    got.lockDuration = 'PT1M30S'
    got.maxDeliveryCount = 9
    got.status = 'SendDisabled'
    got.userMetadata = ''
    const updated = await admin.updateQueue(got)
    assert.equal(updated._response.status, 200)
    assert.equal(updated._response.request.headers.get('If-Match'), '*')
    assert.equal(updated.lockDuration, 'PT1M30S')
    assert.equal(updated.maxDeliveryCount, 9)
    assert.equal(updated.status, 'SendDisabled')
    assert.equal(updated.userMetadata, undefined)
    assert.equal(updated.defaultMessageTimeToLive, 'P2D', 'fields sent back unchanged stay')
    assert.equal(t.emulator.broker.getQueue('jobs')!.lockDurationMs, 90_000)
    assert.equal(t.emulator.broker.getQueue('jobs')!.status, 'SendDisabled')

    // The data plane sees the update at once.
    const sendError = await rejectionOf(t.client.createSender('jobs').sendMessages({body: 'x'}))
    assert.match(sendError.message, /disabled/i)

    await admin.deleteQueue('jobs')
    assert.equal(t.emulator.broker.getQueue('jobs'), undefined)
    const getError = await rejectionOf(admin.getQueue('jobs'))
    assert.equal(getError.code, 'MessageEntityNotFoundError')
    assert.equal(await admin.queueExists('jobs'), false)
    const deleteError = await rejectionOf(admin.deleteQueue('jobs'))
    assert.equal(deleteError.code, 'MessageEntityNotFoundError')
    assert.equal((deleteError as {statusCode?: number}).statusCode, 404)
  })

  test('a new queue gets Azure defaults', async () => {
    const queue = await admin.createQueue('plain')
    assert.equal(queue.lockDuration, 'PT1M')
    assert.equal(queue.maxDeliveryCount, 10)
    assert.equal(queue.maxSizeInMegabytes, 1024)
    assert.equal(queue.defaultMessageTimeToLive, FOREVER)
    assert.equal(queue.duplicateDetectionHistoryTimeWindow, 'PT10M')
    assert.equal(queue.enableBatchedOperations, true)
    assert.equal(queue.requiresSession, false)
    assert.equal(queue.maxMessageSizeInKilobytes, 256)
    assert.equal(t.emulator.broker.getQueue('plain')!.defaultMessageTimeToLiveMs, 922_337_203_685_477)

    // Names may hold '/', and are found whatever their case.
    await admin.createQueue('team/jobs')
    assert.equal((await admin.getQueue('team/jobs')).name, 'team/jobs')
    assert.equal((await admin.getQueue('TEAM/Jobs')).name, 'team/jobs')
    await t.client.createSender('team/jobs').sendMessages({body: 'nested'})
    assert.equal((await admin.getQueueRuntimeProperties('team/jobs')).activeMessageCount, 1)
  })

  test('create twice gives MessageEntityAlreadyExistsError; update of a missing queue gives not-found', async () => {
    await admin.createQueue('twice', {maxDeliveryCount: 3})
    const error = await rejectionOf(admin.createQueue('twice', {maxDeliveryCount: 5}))
    assert.equal(error.code, 'MessageEntityAlreadyExistsError')
    assert.equal((error as {statusCode?: number}).statusCode, 409)
    assert.equal(t.emulator.broker.getQueue('twice')!.maxDeliveryCount, 3, 'the existing queue is left as it was')

    const ghost = {...(await admin.getQueue('twice')), name: 'ghost'}
    const updateError = await rejectionOf(admin.updateQueue(ghost))
    assert.equal(updateError.code, 'MessageEntityNotFoundError')
    assert.equal(t.emulator.broker.getQueue('ghost'), undefined)
  })

  test('invalid or unsupported settings are refused with 400 and change nothing', async () => {
    for (const options of [{lockDuration: 'PT10M'}, {maxDeliveryCount: 0}, {autoDeleteOnIdle: 'PT1M'}, {lockDuration: 'soon'}]) {
      const error = await rejectionOf(admin.createQueue('refused', options))
      assert.equal(error.code, 'ServiceError', JSON.stringify(options))
      assert.equal((error as {statusCode?: number}).statusCode, 400)
    }
    assert.equal(t.emulator.broker.getQueue('refused'), undefined)
    const badName = await rejectionOf(admin.createQueue('bad name!'))
    assert.equal((badName as {statusCode?: number}).statusCode, 400)

    await admin.createQueue('fixed')
    const queue = await admin.getQueue('fixed')
    const error = await rejectionOf(admin.updateQueue({...queue, requiresSession: true}))
    assert.equal((error as {statusCode?: number}).statusCode, 400)
    assert.match(error.message, /requiresSession/)
  })

  test('getNamespaceProperties', async () => {
    const namespace = await admin.getNamespaceProperties()
    assert.equal(namespace.name, 'qjob-emulator')
    assert.equal(namespace.messagingSku, 'Standard')
    assert.equal(namespace.messagingUnits, undefined)
    assert.ok(namespace.createdAt instanceof Date && !Number.isNaN(namespace.createdAt.getTime()))
    assert.ok(namespace.modifiedAt instanceof Date && !Number.isNaN(namespace.modifiedAt.getTime()))
  })
})

describe('runtime properties', () => {
  test('counts follow sends, scheduling and dead-lettering done through the data plane', async () => {
    await admin.createQueue('counted')
    const sender = t.client.createSender('counted')
    await sender.sendMessages([{body: 'a'}, {body: 'b'}, {body: 'c'}])
    const later = new Date(Date.now() + 3600_000)
    await sender.sendMessages([
      {body: 'later-1', scheduledEnqueueTimeUtc: later},
      {body: 'later-2', scheduledEnqueueTimeUtc: later},
    ])
    const receiver = t.client.createReceiver('counted')
    const [message] = await receiver.receiveMessages(1, {maxWaitTimeInMs: 5000})
    await receiver.deadLetterMessage(message, {deadLetterReason: 'test', deadLetterErrorDescription: 'counted'})

    const runtime = await admin.getQueueRuntimeProperties('counted')
    assert.equal(runtime.name, 'counted')
    assert.equal(runtime.activeMessageCount, 2)
    assert.equal(runtime.scheduledMessageCount, 2)
    assert.equal(runtime.deadLetterMessageCount, 1)
    assert.equal(runtime.transferMessageCount, 0)
    assert.equal(runtime.transferDeadLetterMessageCount, 0)
    assert.equal(runtime.totalMessageCount, 5)
    assert.ok(runtime.sizeInBytes! > 0, 'size in bytes')
    for (const at of [runtime.createdAt, runtime.modifiedAt, runtime.accessedAt])
      assert.ok(at instanceof Date && !Number.isNaN(at.getTime()))

    // Listing runtime properties reads the same counts.
    let listed
    for await (const item of admin.listQueuesRuntimeProperties()) if (item.name === 'counted') listed = item
    assert.equal(listed?.deadLetterMessageCount, 1)
    assert.equal(listed?.activeMessageCount, 2)
    const missing = await rejectionOf(admin.getQueueRuntimeProperties('no-such-queue'))
    assert.equal(missing.code, 'MessageEntityNotFoundError')
  })
})

describe('listing with paging', () => {
  let many: TestEmulator
  before(async () => {
    many = await startTestEmulator({policies: [{name: ROOT.keyName, key: ROOT.key, rights: ['Manage', 'Listen', 'Send']}]})
  })
  after(() => many.stop())

  test('byPage follows the next link across pages; the default page holds 100', async () => {
    const client = adminClient(many.emulator)
    const names = Array.from({length: 7}, (_, i) => `page-${i}`)
    for (const name of names) await client.createQueue(name)

    const pages: string[][] = []
    for await (const page of client.listQueues().byPage({maxPageSize: 3})) pages.push(page.map(queue => queue.name))
    assert.deepEqual(pages, [names.slice(0, 3), names.slice(3, 6), names.slice(6)])

    const resumed: string[][] = []
    for await (const page of client.listQueues().byPage({maxPageSize: 4, continuationToken: '5'}))
      resumed.push(page.map(queue => queue.name))
    assert.deepEqual(resumed, [names.slice(5)])

    // The next link the SDK follows, as the service writes it (`$skip` encoded as %24skip).
    const raw = await rawRequest(many.emulator, {scheme: 'https', path: '/$Resources/Queues?api-version=2021-05&%24top=3', sign: ROOT})
    assert.equal(raw.status, 200)
    const nextLink = /<link rel="next" href="([^"]*)"\/>/.exec(raw.body)?.[1]
    assert.equal(nextLink, `https://127.0.0.1:${many.emulator.port}/$Resources/Queues?%24top=3&amp;%24skip=3&amp;api-version=2021-05`)

    for (let i = 0; i < 101; i++) await many.emulator.broker.createQueue(`bulk-${String(i).padStart(3, '0')}`)
    const all: string[] = []
    for await (const queue of client.listQueues()) all.push(queue.name)
    assert.equal(all.length, 108)
    assert.deepEqual(
      all,
      [...all].sort((a, b) => a.localeCompare(b)),
    )
    assert.equal(new Set(all).size, 108, 'no queue twice across pages')
    const firstPage = await client.listQueues().byPage().next()
    assert.equal(firstPage.value?.length, 100)
  })
})
