// qjob topic / subscription / rule over both management backends (ATOM with a connection string,
// ARM with a bearer token), through bin/run.js against the emulator.
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'

import {startServiceBusEmulator, type ServiceBusEmulator} from '../../src/emulator/servicebus/index.js'
import {type CliResult, cleanEnv, runCli, tempDir} from '../helpers/cli.js'
import {MANAGEMENT_BACKENDS} from '../helpers/management-backends.js'

for (const backend of MANAGEMENT_BACKENDS) {
  describe(`qjob topic, subscription and rule commands (${backend.name} backend)`, () => {
    let emulator: ServiceBusEmulator
    let dir: ReturnType<typeof tempDir>
    let env: NodeJS.ProcessEnv
    const t = (name: string) => `${backend.name}-${name}`
    const qjob = (args: string[]): Promise<CliResult> => runCli(args, {cwd: dir.path, env})
    const json = <T>(result: CliResult): T => {
      assert.equal(result.code, 0, result.stderr)
      return JSON.parse(result.stdout) as T
    }

    before(async () => {
      dir = tempDir('qjob-topics-')
      emulator = await startServiceBusEmulator({port: 0, dataDir: dir.path})
      env = cleanEnv(dir.path, backend.env(emulator))
    })
    after(async () => {
      await emulator.close()
      dir.cleanup()
    })

    it('creates a topic with its settings; --if-not-exists accepts it the second time', async () => {
      const created = await qjob([
        'topic',
        'create',
        t('jobs'),
        '--default-ttl',
        '1d',
        '--duplicate-detection-window',
        '10m',
        '--max-size-mb',
        '2048',
      ])
      assert.equal(created.code, 0, created.stderr)
      assert.equal(created.stdout, `Created topic ${t('jobs')}\n`)
      const again = await qjob(['topic', 'create', t('jobs')])
      assert.equal(again.code, 1)
      assert.match(again.stderr, new RegExp(`^Error: topic "${t('jobs')}" already exists`))
      const idempotent = json<{created: boolean; defaultTtlMs: number; duplicateDetectionWindowMs: number; maxSizeMb: number}>(
        await qjob(['topic', 'create', t('jobs'), '--if-not-exists', '--json']),
      )
      assert.deepEqual(
        [idempotent.created, idempotent.defaultTtlMs, idempotent.duplicateDetectionWindowMs, idempotent.maxSizeMb],
        [false, 86_400_000, 600_000, 2048],
      )
    })

    it('subscriptions with a correlation filter, a SQL filter and $Default; rules listed as created', async () => {
      let result = await qjob([
        'subscription',
        'create',
        'resize',
        '--topic',
        t('jobs'),
        '--correlation',
        'subject=resize',
        '-c',
        'tenant=acme',
        '--max-delivery-count',
        '3',
      ])
      assert.equal(result.code, 0, result.stderr)
      result = await qjob(['subscription', 'create', 'big', '--topic', t('jobs'), '--sql', 'size > 10', '--rule-name', 'big-only'])
      assert.equal(result.code, 0, result.stderr)
      result = await qjob(['subscription', 'create', 'audit', '--topic', t('jobs')])
      assert.equal(result.code, 0, result.stderr)

      const rules = (sub: string) =>
        qjob(['rule', 'list', '--topic', t('jobs'), '--subscription', sub, '--json']).then(r => json<Array<Record<string, unknown>>>(r))
      assert.deepEqual(
        (await rules('resize')).map(rule => [rule.name, rule.filter]),
        [['$Default', {kind: 'correlation', properties: {subject: 'resize', applicationProperties: {tenant: 'acme'}}}]],
      )
      assert.deepEqual(
        (await rules('big')).map(rule => [rule.name, rule.filter]),
        [['big-only', {kind: 'sql', expression: 'size > 10'}]],
      )
      assert.deepEqual(
        (await rules('audit')).map(rule => [rule.name, rule.filter]),
        [['$Default', {kind: 'true'}]],
      )

      const shown = json<{maxDeliveryCount: number; rules: unknown[]}>(
        await qjob(['subscription', 'show', 'resize', '--topic', t('jobs'), '--json']),
      )
      assert.equal(shown.maxDeliveryCount, 3)
      const listed = json<Array<{name: string}>>(await qjob(['subscription', 'list', '--topic', t('jobs'), '--json']))
      assert.deepEqual(listed.map(sub => sub.name).sort(), ['audit', 'big', 'resize'])
    })

    it('rule create adds a rule with an action; rule delete removes one', async () => {
      const created = json<{name: string; action: string}>(
        await qjob([
          'rule',
          'create',
          'tag',
          '--topic',
          t('jobs'),
          '--subscription',
          'audit',
          '--filter',
          'true',
          '--action',
          "SET sys.label = 'audited'",
          '--json',
        ]),
      )
      assert.deepEqual([created.name, created.action], ['tag', "SET sys.label = 'audited'"])
      const deleted = await qjob(['rule', 'delete', '$Default', '--topic', t('jobs'), '--subscription', 'audit', '--yes'])
      assert.equal(deleted.code, 0, deleted.stderr)
      const left = json<Array<{name: string}>>(await qjob(['rule', 'list', '--topic', t('jobs'), '--subscription', 'audit', '--json']))
      assert.deepEqual(
        left.map(rule => rule.name),
        ['tag'],
      )
    })

    it('topic show draws the fan-out: every subscription with its rules and counts', async () => {
      const fanOut = json<{
        topic: {name: string}
        subscriptions: Array<{name: string; counts: {active: number}; rules: Array<{name: string}>}>
      }>(await qjob(['topic', 'show', t('jobs'), '--json']))
      assert.equal(fanOut.topic.name, t('jobs'))
      assert.deepEqual(fanOut.subscriptions.map(sub => [sub.name, sub.counts.active, sub.rules.map(rule => rule.name)]).sort(), [
        ['audit', 0, ['tag']],
        ['big', 0, ['big-only']],
        ['resize', 0, ['$Default']],
      ])
      const human = await qjob(['topic', 'show', t('jobs')])
      assert.equal(human.code, 0, human.stderr)
      assert.match(human.stdout, /├─ |└─ /)
      assert.match(human.stdout, /rule big-only: sql: size > 10/)
    })

    it('update changes only what is given; nothing given is exit 2', async () => {
      const updated = json<{defaultTtlMs: number; duplicateDetectionWindowMs: number}>(
        await qjob(['topic', 'update', t('jobs'), '--default-ttl', '2d', '--json']),
      )
      assert.deepEqual([updated.defaultTtlMs, updated.duplicateDetectionWindowMs], [2 * 86_400_000, 600_000])
      const sub = json<{maxDeliveryCount: number; lockDurationMs: number}>(
        await qjob(['subscription', 'update', 'resize', '--topic', t('jobs'), '--lock-duration', '2m', '--json']),
      )
      assert.deepEqual([sub.maxDeliveryCount, sub.lockDurationMs], [3, 120_000])
      const nothing = await qjob(['topic', 'update', t('jobs')])
      assert.equal(nothing.code, 2)
      assert.match(nothing.stderr, /nothing to change/)
    })

    it('a missing topic or subscription is exit 3 naming which one', async () => {
      let result = await qjob(['subscription', 'show', 'resize', '--topic', t('nosuch')])
      assert.equal(result.code, 3, result.stderr)
      assert.match(result.stderr, new RegExp(`^Error: topic "${t('nosuch')}" was not found`))
      result = await qjob(['subscription', 'show', 'nosuch', '--topic', t('jobs')])
      assert.equal(result.code, 3, result.stderr)
      assert.match(result.stderr, new RegExp(`^Error: subscription "nosuch" of topic "${t('jobs')}" was not found`))
      result = await qjob(['rule', 'create', 'x', '--topic', t('jobs'), '--subscription', 'nosuch', '--sql', '1=1'])
      assert.equal(result.code, 3, result.stderr)
      assert.match(result.stderr, /subscription "nosuch"/)
    })

    it('bad input is exit 2 before any call: no filter, two filters, a short auto-delete', async () => {
      for (const [args, message] of [
        [['rule', 'create', 'x', '--topic', t('jobs'), '--subscription', 'big'], /a rule needs a filter/],
        [
          ['rule', 'create', 'x', '--topic', t('jobs'), '--subscription', 'big', '--sql', 'a = 1', '-c', 'subject=x'],
          /--sql and --correlation cannot be used together/,
        ],
        [['topic', 'create', t('x'), '--auto-delete-on-idle', '1m'], /--auto-delete-on-idle must be at least 5m/],
      ] as const) {
        const result = await qjob([...args])
        assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`)
        assert.match(result.stderr, message)
      }
    })

    it('invalid SQL is exit 2 with the position of the error, and nothing is created', async () => {
      const sub = await qjob(['subscription', 'create', 'broken', '--topic', t('jobs'), '--sql', 'size = = 1'])
      assert.equal(sub.code, 2, sub.stderr)
      assert.match(sub.stderr, /position \d+/)
      const listed = json<Array<{name: string}>>(await qjob(['subscription', 'list', '--topic', t('jobs'), '--json']))
      assert.ok(!listed.some(s => s.name === 'broken'), 'no subscription left behind')
      const rule = await qjob(['rule', 'create', 'broken', '--topic', t('jobs'), '--subscription', 'big', '--sql', "type = 'resize"])
      assert.equal(rule.code, 2, rule.stderr)
      assert.match(rule.stderr, /position \d+/)
      const rules = json<Array<{name: string}>>(await qjob(['rule', 'list', '--topic', t('jobs'), '--subscription', 'big', '--json']))
      assert.ok(!rules.some(r => r.name === 'broken'), 'no rule created')
    })

    it('topic policies: a Send policy has a connection string for that topic; delete needs --yes off a terminal', async () => {
      const policy = json<{name: string; rights: string[]}>(
        await qjob(['topic', 'policy', 'create', 'web', '--topic', t('jobs'), '--rights', 'Send', '--json']),
      )
      assert.deepEqual(policy.rights, ['Send'])
      const listed = json<Array<{name: string}>>(await qjob(['topic', 'policy', 'list', '--topic', t('jobs'), '--json']))
      assert.ok(listed.some(p => p.name === 'web'))
      const cs = await qjob(['topic', 'connection-string', '--topic', t('jobs'), '--policy', 'web'])
      assert.equal(cs.code, 0, cs.stderr)
      assert.match(cs.stdout, /SharedAccessKeyName=web;SharedAccessKey=[^;]+;EntityPath=/)
      const refused = await qjob(['topic', 'policy', 'delete', 'web', '--topic', t('jobs')])
      assert.equal(refused.code, 2)
      const deleted = await qjob(['topic', 'policy', 'delete', 'web', '--topic', t('jobs'), '--yes'])
      assert.equal(deleted.code, 0, deleted.stderr)
    })

    it('subscription and topic delete need --yes off a terminal; the topic goes with its subscriptions', async () => {
      assert.equal((await qjob(['subscription', 'delete', 'big', '--topic', t('jobs')])).code, 2)
      assert.equal((await qjob(['subscription', 'delete', 'big', '--topic', t('jobs'), '--yes'])).code, 0)
      assert.equal((await qjob(['topic', 'delete', t('jobs'), '--yes'])).code, 0)
      const listed = json<Array<{name: string}>>(await qjob(['topic', 'list', '--json']))
      assert.ok(!listed.some(topic => topic.name === t('jobs')))
    })
  })
}
