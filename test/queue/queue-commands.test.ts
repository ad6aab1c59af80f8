import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {ServiceBusClient} from '@azure/service-bus'

import {startServiceBusEmulator, type ServiceBusEmulator} from '../../src/emulator/servicebus/index.js'
import {type CliResult, cleanEnv, runCli, tempDir} from '../helpers/cli.js'
import {MANAGEMENT_BACKENDS} from '../helpers/management-backends.js'

for (const backend of MANAGEMENT_BACKENDS) {
  describe(`qjob queue commands (${backend.name} backend)`, () => {
    let emulator: ServiceBusEmulator
    let dir: ReturnType<typeof tempDir>
    let env: NodeJS.ProcessEnv
    let client: ServiceBusClient
    const q = (name: string) => `${backend.name}-${name}`
    const qjob = (args: string[], extra: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
      runCli(args, {cwd: dir.path, env: {...env, ...extra}})
    const json = <T>(result: CliResult): T => {
      assert.equal(result.code, 0, result.stderr)
      return JSON.parse(result.stdout) as T
    }

    before(async () => {
      dir = tempDir('qjob-queue-')
      emulator = await startServiceBusEmulator({port: 0, dataDir: dir.path})
      env = cleanEnv(dir.path, backend.env(emulator))
      client = new ServiceBusClient(emulator.connectionString, {retryOptions: {maxRetries: 0, timeoutInMs: 10_000}})
    })
    after(async () => {
      await client.close()
      await emulator.close()
      dir.cleanup()
    })

    it('creates a queue with its settings; show reports them', async () => {
      const result = await qjob([
        'queue',
        'create',
        q('jobs'),
        '--lock-duration',
        '2m',
        '--max-delivery-count',
        '5',
        '--default-ttl',
        '1d',
        '--dead-letter-on-expiration',
        '--duplicate-detection-window',
        '10m',
        '--max-size-mb',
        '2048',
      ])
      assert.equal(result.code, 0, result.stderr)
      assert.equal(result.stdout, `Created queue ${q('jobs')}\n`)
      const shown = json<Record<string, unknown>>(await qjob(['queue', 'show', q('jobs'), '--json']))
      assert.deepEqual(
        [
          shown.lockDurationMs,
          shown.maxDeliveryCount,
          shown.defaultTtlMs,
          shown.deadLetterOnExpiration,
          shown.duplicateDetection,
          shown.duplicateDetectionWindowMs,
          shown.maxSizeMb,
          shown.requiresSession,
        ],
        [120_000, 5, 86_400_000, true, true, 600_000, 2048, false],
      )
      const human = await qjob(['queue', 'show', q('jobs')])
      assert.match(human.stdout, /lock duration\s+2m\n/)
    })

    it('create of an existing queue is exit 1; --if-not-exists succeeds without changes', async () => {
      let result = await qjob(['queue', 'create', q('jobs')])
      assert.equal(result.code, 1)
      assert.match(result.stderr, new RegExp(`^Error: queue "${q('jobs')}" already exists\\nHint: Use --if-not-exists`))
      result = await qjob(['queue', 'create', q('jobs'), '--if-not-exists', '--json'])
      const info = json<{created: boolean; lockDurationMs: number}>(result)
      assert.deepEqual([info.created, info.lockDurationMs], [false, 120_000])
    })

    it('invalid values are exit 2 before any call is made', async () => {
      const unreachable = {
        SERVICEBUS_CONNECTION_STRING: 'Endpoint=sb://127.0.0.1:1;SharedAccessKeyName=a;SharedAccessKey=b;UseDevelopmentEmulator=true',
        AZURE_RESOURCE_MANAGER_URL: 'https://127.0.0.1:1',
      }
      for (const [flags, message] of [
        [['--lock-duration', '6m'], /--lock-duration must be between 5s and 5m, got 6m/],
        [['--max-delivery-count', '0'], /--max-delivery-count must be between 1 and 2000/],
        [['--default-ttl', 'soon'], /invalid time to live "soon"/],
        [['--duplicate-detection-window', '1s'], /--duplicate-detection-window must be between 20s and 7d/],
      ] as const) {
        const result = await qjob(['queue', 'create', q('bad'), ...flags], unreachable)
        assert.equal(result.code, 2, `${flags.join(' ')}: ${result.stderr}`)
        assert.match(result.stderr, message)
      }
    })

    it('list shows live counts; update changes only what is given', async () => {
      const sender = client.createSender(q('jobs'))
      await sender.sendMessages([{body: 'a'}, {body: 'b'}, {body: 'c'}])
      await sender.scheduleMessages({body: 'later'}, new Date(Date.now() + 3_600_000))
      await sender.close()
      const queues = json<Array<{name: string; counts: {active: number; scheduled: number}}>>(await qjob(['queue', 'list', '--json']))
      const jobs = queues.find(queue => queue.name === q('jobs'))
      assert.deepEqual([jobs?.counts.active, jobs?.counts.scheduled], [3, 1])
      const table = await qjob(['queue', 'list'])
      assert.match(
        table.stdout,
        new RegExp(`^NAME\\s+STATUS\\s+ACTIVE\\s+DEAD-LETTER\\s+SCHEDULED\\n(.*\\n)*${q('jobs')}\\s+Active\\s+3\\s+0\\s+1\\n`),
      )
      const cache = join(dir.path, 'completion-cache')
      assert.equal((await qjob(['queue', 'list'], {XDG_CACHE_HOME: cache})).code, 0)
      assert.ok(
        readFileSync(join(cache, 'qjob', 'queue-names'), 'utf8')
          .split('\n')
          .includes(q('jobs')),
        'queue list keeps the names for shell completion',
      )

      const updated = json<{lockDurationMs: number; maxDeliveryCount: number}>(
        await qjob(['queue', 'update', q('jobs'), '--lock-duration', '1m', '--json']),
      )
      assert.deepEqual([updated.lockDurationMs, updated.maxDeliveryCount], [60_000, 5])
      const result = await qjob(['queue', 'update', q('missing'), '--lock-duration', '1m'])
      assert.equal(result.code, 3, result.stderr)
    })

    it('a Listen-only policy: its connection string can receive but not send', async () => {
      let result = await qjob(['queue', 'policy', 'create', 'workers', '--queue', q('jobs'), '--rights', 'Listen'])
      assert.equal(result.code, 0, result.stderr)
      assert.equal(result.stdout, `Created policy workers on ${q('jobs')} (Listen)\n`)
      const policies = json<Array<{name: string; rights: string[]}>>(
        await qjob(['queue', 'policy', 'list', '--queue', q('jobs'), '--json']),
      )
      assert.deepEqual(
        policies.map(policy => [policy.name, policy.rights]),
        [['workers', ['Listen']]],
      )

      result = await qjob(['queue', 'connection-string', '--queue', q('jobs'), '--policy', 'workers'])
      assert.equal(result.code, 0, result.stderr)
      const workers = result.stdout.trim()
      assert.match(workers, /SharedAccessKeyName=workers;SharedAccessKey=[^;]+;EntityPath=/)

      const asWorker = {SERVICEBUS_CONNECTION_STRING: workers}
      result = await runCli(['send', '-q', q('jobs'), 'nope'], {cwd: dir.path, env: cleanEnv(dir.path, asWorker)})
      assert.equal(result.code, 4, result.stderr)
      result = await runCli(['receive', '-q', q('jobs'), '--json'], {cwd: dir.path, env: cleanEnv(dir.path, asWorker)})
      assert.equal(result.code, 0, result.stderr)
      assert.equal((JSON.parse(result.stdout) as unknown[]).length, 1)

      result = await qjob(['queue', 'policy', 'delete', 'workers', '--queue', q('jobs'), '--yes'])
      assert.equal(result.code, 0, result.stderr)
      result = await qjob(['queue', 'connection-string', '--queue', q('jobs'), '--policy', 'workers'])
      assert.equal(result.code, 3, result.stderr)
    })

    it('purge removes every message and keeps the queue', async () => {
      let result = await qjob(['queue', 'purge', q('jobs')])
      assert.equal(result.code, 2)
      result = await qjob(['queue', 'purge', q('jobs'), '--yes', '--json'])
      assert.deepEqual(json(result), {queue: q('jobs'), deadLetter: false, removed: 3})
      const counts = emulator.broker.runtimeCounts(q('jobs'))
      assert.deepEqual([counts.activeMessageCount, counts.scheduledMessageCount], [0, 0])
      assert.ok(emulator.broker.getQueue(q('jobs')))
    })

    it('delete needs --yes off a terminal; a deleted queue is not found (exit 3)', async () => {
      let result = await qjob(['queue', 'delete', q('jobs')])
      assert.equal(result.code, 2)
      result = await qjob(['queue', 'delete', q('jobs'), '--yes'])
      assert.equal(result.code, 0, result.stderr)
      result = await qjob(['queue', 'show', q('jobs')])
      assert.equal(result.code, 3, result.stderr)
      assert.match(result.stderr, /was not found/)
    })

    it('a wrong credential is exit 4, and no secret is printed', async () => {
      const wrong =
        backend.name === 'atom'
          ? {
              SERVICEBUS_CONNECTION_STRING: emulator.connectionString.replace(
                /SharedAccessKey=[^;]+/,
                'SharedAccessKey=d3Jvbmcta2V5LXRvdGFsbHk=',
              ),
            }
          : {AZURE_ACCESS_TOKEN: 'not-the-token-at-all'}
      const result = await qjob(['queue', 'list'], wrong)
      assert.equal(result.code, 4, result.stderr)
      assert.ok(!result.stderr.includes('d3Jvbmcta2V5LXRvdGFsbHk=') && !result.stderr.includes('not-the-token-at-all'), result.stderr)
    })
  })
}
