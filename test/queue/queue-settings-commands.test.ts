// qjob queue create/update/show with the settings of issue 18 (--auto-delete-on-idle, --status,
// --enable-partitioning) and "qjob queue policy renew", over both backends against the emulator.
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'

import {startServiceBusEmulator, type ServiceBusEmulator} from '../../src/emulator/servicebus/index.js'
import {type CliResult, cleanEnv, runCli, tempDir} from '../helpers/cli.js'
import {MANAGEMENT_BACKENDS} from '../helpers/management-backends.js'

for (const backend of MANAGEMENT_BACKENDS) {
  describe(`queue settings and key renewal (${backend.name} backend)`, () => {
    let emulator: ServiceBusEmulator
    let dir: ReturnType<typeof tempDir>
    let env: NodeJS.ProcessEnv
    const qjob = (args: string[], extra: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
      runCli(args, {cwd: dir.path, env: {...env, ...extra}})
    const json = <T>(result: CliResult): T => {
      assert.equal(result.code, 0, result.stderr)
      return JSON.parse(result.stdout) as T
    }

    before(async () => {
      dir = tempDir('qjob-queue-settings-')
      emulator = await startServiceBusEmulator({port: 0, dataDir: dir.path})
      env = cleanEnv(dir.path, backend.env(emulator))
    })
    after(async () => {
      await emulator.close()
      dir.cleanup()
    })

    it('create --auto-delete-on-idle --enable-partitioning; show prints them; bad values are exit 2', async () => {
      const created = await qjob(['queue', 'create', 'preview', '--auto-delete-on-idle', '1h', '--enable-partitioning'])
      assert.equal(created.code, 0, created.stderr)
      const shown = json<Record<string, unknown>>(await qjob(['queue', 'show', 'preview', '--json']))
      assert.deepEqual([shown.autoDeleteOnIdleMs, shown.enablePartitioning, shown.status], [3_600_000, true, 'Active'])
      const human = await qjob(['queue', 'show', 'preview'])
      assert.match(human.stdout, /auto-delete on idle\s+1h\n/)
      assert.match(human.stdout, /partitioning\s+on\n/)
      for (const args of [
        ['--auto-delete-on-idle', '1m'],
        ['--status', 'Paused'],
      ]) {
        const result = await qjob(['queue', 'create', 'refused', ...args])
        assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`)
      }
    })

    it('update --status SendDisabled refuses sends until --status Active; partitioning cannot be turned on later', async () => {
      assert.equal((await qjob(['queue', 'create', 'gated'])).code, 0)
      const updated = json<{status: string}>(await qjob(['queue', 'update', 'gated', '--status', 'SendDisabled', '--json']))
      assert.equal(updated.status, 'SendDisabled')
      const refused = await qjob(['send', '-q', 'gated', 'hello'], {SERVICEBUS_CONNECTION_STRING: emulator.connectionString})
      assert.equal(refused.code, 1, refused.stderr)
      assert.match(refused.stderr, /disabled/i)
      assert.equal((await qjob(['queue', 'update', 'gated', '--status', 'active'])).code, 0)
      const sent = await qjob(['send', '-q', 'gated', 'hello'], {SERVICEBUS_CONNECTION_STRING: emulator.connectionString})
      assert.equal(sent.code, 0, sent.stderr)
      const partition = await qjob(['queue', 'update', 'gated', '--enable-partitioning'])
      assert.equal(partition.code, 2, partition.stderr)
    })

    it('--forward-to and --forward-dead-letters-to: messages and dead letters move on; "" stops forwarding', async () => {
      const connection = {SERVICEBUS_CONNECTION_STRING: emulator.connectionString}
      for (const name of ['fwd-target', 'fwd-dead']) assert.equal((await qjob(['queue', 'create', name])).code, 0)
      const created = await qjob(['queue', 'create', 'fwd-source', '--forward-to', 'fwd-target', '--forward-dead-letters-to', 'fwd-dead'])
      assert.equal(created.code, 0, created.stderr)
      const shown = json<{forwardTo: string; forwardDeadLettersTo: string}>(await qjob(['queue', 'show', 'fwd-source', '--json']))
      assert.deepEqual([shown.forwardTo, shown.forwardDeadLettersTo], ['fwd-target', 'fwd-dead'])
      assert.match((await qjob(['queue', 'show', 'fwd-source'])).stdout, /forward to\s+fwd-target\n/)

      assert.equal((await qjob(['send', '-q', 'fwd-source', 'hello'], connection)).code, 0)
      const moved = json<Array<{body: string}>>(await qjob(['peek', '-q', 'fwd-target', '--json'], connection))
      assert.deepEqual(
        moved.map(message => message.body),
        ['hello'],
      )

      const stopped = json<{forwardTo?: string}>(await qjob(['queue', 'update', 'fwd-source', '--forward-to', '', '--json']))
      assert.equal(stopped.forwardTo, undefined)
      assert.equal((await qjob(['send', '-q', 'fwd-source', 'stays'], connection)).code, 0)
      const kept = json<Array<{body: string}>>(await qjob(['peek', '-q', 'fwd-source', '--json'], connection))
      assert.deepEqual(
        kept.map(message => message.body),
        ['stays'],
      )
      // Its dead letters still go on to fwd-dead.
      assert.equal((await qjob(['receive', '-q', 'fwd-source', '--settle', 'dead-letter', '--json'], connection)).code, 0)
      const dead = json<Array<{body: string}>>(await qjob(['peek', '-q', 'fwd-dead', '--json'], connection))
      assert.deepEqual(
        dead.map(message => message.body),
        ['stays'],
      )
    })

    it('policy renew replaces the key: the old connection string is refused, the new one works; --yes is needed off a terminal', async () => {
      assert.equal((await qjob(['queue', 'create', 'rotated'])).code, 0)
      assert.equal((await qjob(['queue', 'policy', 'create', 'workers', '--queue', 'rotated', '--rights', 'Listen'])).code, 0)
      const before = (await qjob(['queue', 'connection-string', '--queue', 'rotated', '--policy', 'workers'])).stdout.trim()
      assert.equal(
        (await qjob(['queue', 'policy', 'renew', 'workers', '--queue', 'rotated'])).code,
        2,
        'renew without --yes off a terminal',
      )
      const renewed = json<{name: string; key: string; renewed: boolean}>(
        await qjob(['queue', 'policy', 'renew', 'workers', '--queue', 'rotated', '--yes', '--json']),
      )
      assert.deepEqual([renewed.name, renewed.key, renewed.renewed], ['workers', 'primary', true])
      const after = (await qjob(['queue', 'connection-string', '--queue', 'rotated', '--policy', 'workers'])).stdout.trim()
      assert.notEqual(after, before)
      const old = await runCli(['peek', '-q', 'rotated', '--json'], {
        cwd: dir.path,
        env: cleanEnv(dir.path, {SERVICEBUS_CONNECTION_STRING: before}),
      })
      assert.equal(old.code, 4, old.stderr)
      const fresh = await runCli(['peek', '-q', 'rotated', '--json'], {
        cwd: dir.path,
        env: cleanEnv(dir.path, {SERVICEBUS_CONNECTION_STRING: after}),
      })
      assert.equal(fresh.code, 0, fresh.stderr)
    })
  })
}
