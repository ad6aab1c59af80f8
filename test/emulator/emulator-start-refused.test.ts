// Issue 17 items 1 and 5 as a user sees them: `qjob emulator start` on a data directory whose
// namespace.json is emptied, or whose message log is damaged beyond a bound, exits 1 with a
// one-line error and a hint, no stack trace, and changes nothing.
import assert from 'node:assert/strict'
import {appendFileSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, test} from 'node:test'

import {cleanEnv, runCli, tempDir} from '../helpers/cli.js'

let home: ReturnType<typeof tempDir>
const run = (args: string[]) => runCli(args, {home: home.path, env: cleanEnv(home.path)})

before(() => {
  home = tempDir('qjob-emu-refused-')
})
after(() => home.cleanup())

test('an emptied namespace.json: exit 1, the file named, --reset-keys as the hint', async () => {
  const dataDir = join(home.path, 'keys')
  mkdirSync(join(dataDir, 'servicebus'), {recursive: true})
  const file = join(dataDir, 'servicebus', 'namespace.json')
  writeFileSync(file, '')
  const result = await run(['emulator', 'start', '--foreground', '--in-memory', '--data-dir', dataDir, '--port', '0'])
  assert.equal(result.code, 1, result.stderr)
  assert.match(result.stderr, /namespace\.json is empty/)
  assert.match(result.stderr, /--reset-keys/)
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace')
  assert.equal(readFileSync(file, 'utf8'), '')
})

test('a message log damaged to its end: exit 1, nothing cut, the truncate command as the hint', async () => {
  const dataDir = join(home.path, 'log')
  mkdirSync(join(dataDir, 'servicebus'), {recursive: true})
  const log = join(dataDir, 'servicebus', 'messages.log')
  writeFileSync(log, Buffer.from([0xd1, 0x0b, 0x51, 0x4a]))
  appendFileSync(log, Buffer.alloc(4096, 0x41))
  const result = await run(['emulator', 'start', '--foreground', '--data-dir', dataDir, '--port', '0'])
  assert.equal(result.code, 1, result.stderr)
  assert.match(result.stderr, /damaged from byte 0/)
  assert.match(result.stderr, /truncate -s 0/)
  assert.equal(readFileSync(log).length, 4100, 'nothing was cut')
})
