// Issue 17 item 5: an emptied or damaged namespace.json is not silently replaced by a new key
// (which would break every saved connection string): the start is refused, saying how to reset,
// unless resetKeys (--reset-keys) asks for a new key.
import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'node:test'

import {startServiceBusEmulator, StartRefusedError} from '../../src/emulator/servicebus/index.js'
import {tempDir} from '../helpers/cli.js'

const keyOf = (connectionString: string) => /SharedAccessKey=([^;]+)/.exec(connectionString)![1]

test('an empty or damaged namespace.json refuses the start; resetKeys makes a new key', async () => {
  const dir = tempDir('qjob-ns-')
  try {
    const first = await startServiceBusEmulator({port: 0, dataDir: dir.path})
    const key = keyOf(first.connectionString)
    await first.close()
    const again = await startServiceBusEmulator({port: 0, dataDir: dir.path})
    assert.equal(keyOf(again.connectionString), key, 'the kept key is used')
    await again.close()

    const file = join(dir.path, 'servicebus', 'namespace.json')
    for (const damaged of ['', '{"policyName": "RootManageSharedAccessKey", "ke']) {
      writeFileSync(file, damaged)
      await assert.rejects(startServiceBusEmulator({port: 0, dataDir: dir.path}), (error: Error) => {
        assert.ok(error instanceof StartRefusedError, String(error))
        assert.ok(error.message.includes(file), error.message)
        assert.match(error.hint ?? '', /--reset-keys/)
        return true
      })
      assert.equal(readFileSync(file, 'utf8'), damaged, 'the file is left as it was')
    }

    const reset = await startServiceBusEmulator({port: 0, dataDir: dir.path, resetKeys: true})
    const newKey = keyOf(reset.connectionString)
    assert.notEqual(newKey, key)
    await reset.close()
    const after = await startServiceBusEmulator({port: 0, dataDir: dir.path})
    assert.equal(keyOf(after.connectionString), newKey, 'the new key is kept')
    await after.close()
  } finally {
    dir.cleanup()
  }
})
