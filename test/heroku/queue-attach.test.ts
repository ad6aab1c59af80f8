// qjob queue attach / detach and qjob app config, through bin/run.js against both emulators: the
// Service Bus emulator (the ATOM backend) and the local Platform API, whose dynos are real
// processes receiving with the Listen-only key that attach put in the config vars.
import assert from 'node:assert/strict'
import {symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {ServiceBusClient} from '@azure/service-bus'

import {startServiceBusEmulator, type ServiceBusEmulator} from '../../src/emulator/servicebus/index.js'
import {AtomBackend} from '../../src/lib/management/atom.js'
import type {ManagementBackend} from '../../src/lib/management/types.js'
import {repoRoot} from '../helpers/cli.js'
import {APP_NAME, startLocalHeroku, type LocalHeroku} from './helpers/local-heroku.js'

// Receives one message with the connection string from its config vars and holds it (so each
// worker takes exactly one), after showing that the key cannot send.
const WORKER = `
const {ServiceBusClient} = require('@azure/service-bus')
const client = new ServiceBusClient(process.env.SERVICEBUS_CONNECTION_STRING, {retryOptions: {maxRetries: 0, timeoutInMs: 10000}})
const key = /SharedAccessKeyName=([^;]+)/.exec(process.env.SERVICEBUS_CONNECTION_STRING)[1]
;(async () => {
  try {
    await client.createSender(process.env.QUEUE_NAME).sendMessages({body: 'nope'})
    console.log('send allowed')
  } catch (error) {
    console.log('send refused: ' + error.code)
  }
  const receiver = client.createReceiver(process.env.QUEUE_NAME)
  console.log('listening as ' + key)
  const [message] = await receiver.receiveMessages(1, {maxWaitTimeInMs: 60000})
  console.log('received ' + message.body)
  setInterval(() => {}, 1000)
})()
`

describe('qjob queue attach / detach and app config', () => {
  let servicebus: ServiceBusEmulator
  let heroku: LocalHeroku
  let backend: ManagementBackend
  let client: ServiceBusClient
  const env = () => heroku.env({SERVICEBUS_CONNECTION_STRING: servicebus.connectionString})
  const qjob = (args: string[]) => heroku.qjob(args, {env: env()})
  const config = () => heroku.emulator.store.config.current()
  const releases = () => heroku.emulator.store.config.releases.length

  before(async () => {
    servicebus = await startServiceBusEmulator({port: 0, inMemory: true, queues: [{name: 'jobs', lockDuration: 'PT5M'}]})
    heroku = await startLocalHeroku({procfile: 'worker: node worker.js\n', gracePeriodMs: 2000})
    writeFileSync(join(heroku.appDir, 'worker.js'), WORKER)
    symlinkSync(join(repoRoot, 'node_modules'), join(heroku.appDir, 'node_modules'))
    backend = await AtomBackend.open({
      kind: 'connection-string',
      connectionString: servicebus.connectionString,
      endpoint: servicebus.endpoint,
    })
    client = new ServiceBusClient(servicebus.connectionString, {retryOptions: {maxRetries: 0, timeoutInMs: 10_000}})
  })
  after(async () => {
    await client.close()
    await backend.close()
    await heroku.close()
    await servicebus.close()
    assert.deepEqual(heroku.violations, [])
    assert.deepEqual(heroku.leaks, [])
  })

  it('a missing queue is exit 3 and changes nothing', async () => {
    const result = await qjob(['queue', 'attach', 'no-such-queue'])
    assert.equal(result.code, 3, result.stderr)
    assert.match(result.stderr, /queue "no-such-queue" not found/)
    assert.deepEqual([config(), releases()], [{}, 1])
  })

  it('a missing app is exit 3, before any policy is made', async () => {
    const result = await qjob(['queue', 'attach', 'jobs', '--app', 'no-such-app'])
    assert.equal(result.code, 3, result.stderr)
    assert.deepEqual(await backend.listPolicies('jobs'), [])
  })

  it('--dry-run says what would change and changes nothing', async () => {
    const result = await qjob(['queue', 'attach', 'jobs', '--dry-run'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(
      result.stdout,
      new RegExp(
        `^Would create policy ${APP_NAME}-listen on queue jobs \\(Listen\\)\\nWould set SERVICEBUS_CONNECTION_STRING .* and QUEUE_NAME=jobs on app ${APP_NAME}`,
      ),
    )
    assert.deepEqual([config(), releases(), await backend.listPolicies('jobs')], [{}, 1, []])
  })

  it('rolls back the policy it created when setting the config vars fails', async () => {
    heroku.emulator.faults.inject({status: 500, method: 'PATCH', path: '/config-vars', count: 10})
    try {
      const result = await qjob(['queue', 'attach', 'jobs'])
      assert.equal(result.code, 1, result.stderr)
    } finally {
      heroku.emulator.faults.clear()
    }
    assert.deepEqual([config(), await backend.listPolicies('jobs')], [{}, []])
  })

  it('attach: a Listen-only policy and two config vars, the key never printed', async () => {
    const result = await qjob(['queue', 'attach', 'jobs'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(
      result.stderr,
      new RegExp(
        `Attached queue jobs to ${APP_NAME}: policy ${APP_NAME}-listen \\(Listen\\), created; set SERVICEBUS_CONNECTION_STRING, QUEUE_NAME`,
      ),
    )
    const policies = await backend.listPolicies('jobs')
    assert.deepEqual(
      policies.map(policy => [policy.name, policy.rights]),
      [[`${APP_NAME}-listen`, ['Listen']]],
    )
    const key = /SharedAccessKey=([^;]+)/.exec(config().SERVICEBUS_CONNECTION_STRING)?.[1] as string
    assert.ok(key)
    assert.ok(!`${result.stdout}${result.stderr}`.includes(key))
    assert.equal(config().QUEUE_NAME, 'jobs')
    assert.match(heroku.emulator.store.config.latest.description, /^Set SERVICEBUS_CONNECTION_STRING, QUEUE_NAME config vars$/)

    const again = await qjob(['queue', 'attach', 'jobs', '--json'])
    assert.equal(again.code, 0, again.stderr)
    assert.equal((JSON.parse(again.stdout) as {policyCreated: boolean}).policyCreated, false, 'a second attach reuses the policy')

    const listed = await qjob(['app', 'config'])
    assert.equal(listed.code, 0, listed.stderr)
    assert.match(
      listed.stdout,
      /SERVICEBUS_CONNECTION_STRING: Endpoint=sb:\/\/[^;]+;SharedAccessKeyName=qjob-test-app-listen;SharedAccessKey=\*\*\*/,
    )
    assert.ok(!listed.stdout.includes(key))
    const revealed = await qjob(['app', 'config', 'get', 'SERVICEBUS_CONNECTION_STRING', '--reveal'])
    assert.equal(revealed.stdout.trim(), config().SERVICEBUS_CONNECTION_STRING)
  })

  it('then scale worker=2: two workers receive with the Listen-only key, which cannot send', async () => {
    assert.equal((await qjob(['scale', 'worker=2'])).code, 0)
    for (const dyno of ['worker.1', 'worker.2'])
      await heroku.waitForLog(new RegExp(`app\\[${dyno.replace('.', '\\.')}\\]: listening as ${APP_NAME}-listen`), 30_000)
    for (const dyno of ['worker.1', 'worker.2'])
      await heroku.waitForLog(new RegExp(`app\\[${dyno.replace('.', '\\.')}\\]: send refused: UnauthorizedAccess`))
    await client.createSender('jobs').sendMessages([{body: 'one'}, {body: 'two'}])
    const lines = await Promise.all(
      ['worker.1', 'worker.2'].map(dyno =>
        heroku.waitForLog(new RegExp(`app\\[${dyno.replace('.', '\\.')}\\]: received (one|two)`), 30_000),
      ),
    )
    assert.deepEqual(lines.map(line => /received (\w+)/.exec(line)?.[1]).sort(), ['one', 'two'])
    assert.equal((await qjob(['scale', 'worker=0'])).code, 0)
  })

  it('app config set / get / unset: releases; a bad name is exit 2, a missing app exit 3', async () => {
    const set = await qjob(['app', 'config', 'set', 'LOG_LEVEL=debug', 'API_TOKEN=s3cret-value'])
    assert.equal(set.code, 0, set.stderr)
    assert.ok(!`${set.stdout}${set.stderr}`.includes('s3cret-value'))
    assert.equal((await qjob(['app', 'config', 'get', 'API_TOKEN'])).stdout, '***\n')
    assert.equal((await qjob(['app', 'config', 'get', 'LOG_LEVEL'])).stdout, 'debug\n')
    assert.equal((await qjob(['app', 'config', 'get', 'MISSING'])).code, 3)
    const bad = await qjob(['app', 'config', 'set', '9LIVES=x'])
    assert.equal(bad.code, 2, bad.stderr)
    assert.match(bad.stderr, /Invalid config var name/)
    assert.equal((await qjob(['app', 'config', 'set', 'A=b', '--app', 'no-such-app'])).code, 3)
    assert.equal((await qjob(['app', 'config', 'unset', 'LOG_LEVEL', 'API_TOKEN'])).code, 0)
    assert.ok(!('LOG_LEVEL' in config()) && !('API_TOKEN' in config()))
  })

  it('detach removes the config vars; --delete-policy revokes the key; --dry-run changes nothing', async () => {
    const dry = await qjob(['queue', 'detach', 'jobs', '--dry-run'])
    assert.equal(dry.code, 0, dry.stderr)
    assert.match(dry.stdout, /^Would remove SERVICEBUS_CONNECTION_STRING, QUEUE_NAME from app/)
    assert.equal(config().QUEUE_NAME, 'jobs')
    assert.equal((await qjob(['queue', 'detach', 'jobs'])).code, 2, 'not on a terminal: needs --yes')
    const result = await qjob(['queue', 'detach', 'jobs', '--delete-policy', `${APP_NAME}-listen`, '--yes'])
    assert.equal(result.code, 0, result.stderr)
    assert.ok(!('SERVICEBUS_CONNECTION_STRING' in config()) && !('QUEUE_NAME' in config()))
    assert.deepEqual(await backend.listPolicies('jobs'), [])
  })
})
