// The README's topic fan-out example, run line by line through bin/run.js against the emulator:
// each `$ qjob ...` command must succeed and print what the README shows after it ("..." stands
// for lines left out). `qjob work` gets --exit-when-empty so the example ends.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {chmodSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {startServiceBusEmulator, type ServiceBusEmulator} from '../../src/emulator/servicebus/index.js'
import {binPath, cleanEnv, repoRoot, tempDir} from '../helpers/cli.js'

interface Step {
  command: string
  expected: string[]
}

/** The `$ qjob` lines of the README's fan-out example and the output shown under each. */
function exampleSteps(): Step[] {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8')
  const start = readme.indexOf('A fan-out with one topic')
  const block = readme.slice(readme.indexOf('```sh\n', start) + 6, readme.indexOf('\n```', readme.indexOf('```sh\n', start)))
  const steps: Step[] = []
  for (const line of block.split('\n')) {
    if (line.startsWith('$ ')) steps.push({command: line.slice(2), expected: []})
    else steps.at(-1)?.expected.push(line)
  }
  return steps
}

function run(command: string, env: NodeJS.ProcessEnv, cwd: string): Promise<{code: number | null; stdout: string; stderr: string}> {
  return new Promise(resolve => {
    const child = spawn('bash', ['-c', command], {env, cwd})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', chunk => (stdout += chunk))
    child.stderr.on('data', chunk => (stderr += chunk))
    child.on('close', code => resolve({code, stdout, stderr}))
  })
}

describe('README: the topic fan-out example', () => {
  let emulator: ServiceBusEmulator
  let dir: ReturnType<typeof tempDir>
  let env: NodeJS.ProcessEnv

  before(async () => {
    dir = tempDir('qjob-readme-topics-')
    emulator = await startServiceBusEmulator({port: 0, inMemory: true})
    // `qjob` on PATH is this checkout's bin/run.js; resize.js is a job that reads its message.
    writeFileSync(join(dir.path, 'qjob'), `#!/bin/sh\nexec "${process.execPath}" "${binPath}" "$@"\n`)
    chmodSync(join(dir.path, 'qjob'), 0o755)
    writeFileSync(join(dir.path, 'resize.js'), "process.stdin.resume(); process.stdin.on('end', () => process.exit(0))\n")
    env = cleanEnv(dir.path, {SERVICEBUS_CONNECTION_STRING: emulator.connectionString, PATH: `${dir.path}:${process.env.PATH}`})
  })
  after(async () => {
    await emulator.close()
    dir.cleanup()
  })

  it('every command succeeds and prints what the README shows', async () => {
    const steps = exampleSteps()
    assert.ok(steps.length >= 6, 'the example is in the README')
    for (const step of steps) {
      const command = step.command.startsWith('qjob work ') ? `${step.command} --exit-when-empty` : step.command
      const result = await run(command, env, dir.path)
      assert.equal(result.code, 0, `${step.command}: ${result.stderr}`)
      const shown = step.expected.filter(line => line !== '...')
      if (shown.length === 0) continue
      const printed = result.stdout.trimEnd().split('\n')
      const tail = step.expected[0] === '...' ? printed.slice(-shown.length) : printed
      assert.deepEqual(tail, shown, step.command)
    }
    const resize = JSON.parse((await run('qjob subscription show resize --topic jobs --json', env, dir.path)).stdout)
    assert.equal(resize.counts.active, 0, 'the resize worker took its message')
  })
})
