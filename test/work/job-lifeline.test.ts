// The lifeline (job-lifeline.ts): one watcher per job-starting process kills the jobs still running
// when that process dies, even by kill -9; a watcher that is killed is replaced and told what runs;
// and it leaves nothing behind when the process ends normally.
import assert from 'node:assert/strict'
import {type ChildProcess, spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'

import {alive, fileText, groupGone, processes, until} from '../faults/helpers.js'
import {tempDir} from '../helpers/cli.js'

const fixture = join(import.meta.dirname, 'fixtures/job-starter.ts')
const dir = tempDir('qjob-lifeline-')
const started: ChildProcess[] = []

function startJob(command: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, command], {stdio: ['pipe', 'pipe', 'inherit']})
  started.push(child)
  return child
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
  } catch {
    return '' // gone meanwhile
  }
}

/** The watchers `parent` started: its /bin/sh children running the watcher's loop. */
function watchersOf(parent: number): number[] {
  return processes()
    .filter(({pid, ppid}) => ppid === parent && commandLine(pid).includes('live='))
    .map(({pid}) => pid)
}

describe('the job lifeline', () => {
  after(() => {
    for (const child of started) child.kill('SIGKILL')
    dir.cleanup()
  })

  it('kill -9 of the process that started a job kills the job and what it started', async () => {
    const pidFile = join(dir.path, 'killed.pid')
    const starter = startJob(`echo $$ > ${pidFile}; sleep 60 & wait`)
    await until(() => fileText(pidFile).endsWith('\n'), 'the job to start')
    const jobPid = Number(fileText(pidFile).trim())
    assert.equal(watchersOf(starter.pid!).length, 1)
    starter.kill('SIGKILL')
    await until(() => groupGone(jobPid), "the job's process group to die")
  })

  it('a killed watcher is replaced, told of the running job, and still kills it', async () => {
    const pidFile = join(dir.path, 'replaced.pid')
    const starter = startJob(`echo $$ > ${pidFile}; sleep 60`)
    await until(() => fileText(pidFile).endsWith('\n'), 'the job to start')
    const jobPid = Number(fileText(pidFile).trim())
    const [first] = watchersOf(starter.pid!)
    process.kill(first, 'SIGKILL')
    await until(() => watchersOf(starter.pid!).some(pid => pid !== first), 'a new watcher')
    assert.equal(alive(-jobPid), true, 'the job runs on meanwhile')
    starter.kill('SIGKILL')
    await until(() => groupGone(jobPid), "the job's process group to die")
  })

  it('a job that ended is not killed later, and the watcher leaves when its process does', async () => {
    const starter = startJob('true')
    const outcome = await new Promise<string>(resolve => starter.stdout.once('data', chunk => resolve(String(chunk))))
    assert.equal(JSON.parse(outcome).exitCode, 0)
    const [watcher] = watchersOf(starter.pid!)
    assert.ok(watcher, 'the watcher is running')
    starter.stdin.end()
    await until(() => !alive(watcher), 'the watcher to exit')
  })
})
