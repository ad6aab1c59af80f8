// Issue 17 item 14: a stale lock whose pid now belongs to another process must not block the
// start; a live owner still does, and the refusal names the lock file.
import assert from 'node:assert/strict'
import {spawn, type ChildProcess} from 'node:child_process'
import {once} from 'node:events'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'node:test'

import {processStartTime} from '../../src/emulator/process-start.js'
import {DataDirLock} from '../../src/emulator/servicebus/store/data-dir-lock.js'
import {tempDir} from '../helpers/cli.js'

async function withProcess(command: string, args: string[], run: (child: ChildProcess) => Promise<void>): Promise<void> {
  const child = spawn(command, args, {stdio: 'ignore'})
  await once(child, 'spawn')
  try {
    await run(child)
  } finally {
    child.kill('SIGKILL')
  }
}

test('a lock of the previous format whose pid is now another program is taken over', () =>
  withProcess('sleep', ['60'], async sleeper => {
    const dir = tempDir('qjob-lock-')
    try {
      const path = join(dir.path, 'LOCK')
      writeFileSync(path, `${sleeper.pid}\n`)
      const lock = new DataDirLock(path)
      lock.acquire()
      const record = JSON.parse(readFileSync(path, 'utf8')) as {pid: number; token: string; startTime?: string}
      assert.equal(record.pid, process.pid)
      assert.ok(record.token.length > 0)
      lock.release()
    } finally {
      dir.cleanup()
    }
  }))

test(
  'a lock whose pid runs but started at another time is stale; a live owner blocks, naming the lock file',
  {skip: processStartTime(process.pid) ? false : 'needs /proc'},
  () =>
    withProcess(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], async owner => {
      const dir = tempDir('qjob-lock-')
      try {
        const path = join(dir.path, 'LOCK')
        const record = {
          pid: owner.pid,
          startTime: processStartTime(owner.pid!),
          host: (await import('node:os')).hostname(),
          token: 'theirs',
          createdAt: new Date().toISOString(),
        }
        writeFileSync(path, JSON.stringify({...record, startTime: '1'}))
        const stale = new DataDirLock(path)
        stale.acquire()
        stale.release()

        writeFileSync(path, JSON.stringify(record))
        assert.throws(
          () => new DataDirLock(path).acquire(),
          (error: Error) => error.message.includes(path) && error.message.includes(`pid ${owner.pid}`),
        )
        // The previous format with a live node process is still honoured.
        writeFileSync(path, `${owner.pid}\n`)
        assert.throws(() => new DataDirLock(path).acquire(), /in use by another emulator/)
      } finally {
        dir.cleanup()
      }
    }),
)
