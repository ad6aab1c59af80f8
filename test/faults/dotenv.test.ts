// Issue 16, small fixes: the strict .env reader takes \" inside double quotes and quoted values
// over several lines, and still refuses what it cannot read.
import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {cleanEnv, runCli, tempDir} from '../helpers/cli.js'

describe('.env quoting', () => {
  let dir: ReturnType<typeof tempDir>
  const get = (key: string) => runCli(['config', 'get', key], {cwd: dir.path, env: cleanEnv(dir.path)})
  before(() => {
    dir = tempDir('qjob-dotenv-')
  })
  after(() => dir.cleanup())

  it('an escaped quote inside double quotes does not end the value', async () => {
    writeFileSync(join(dir.path, '.env'), 'QUEUE_NAME="say \\"hi\\"" # greeting\nHEROKU_APP=after\n')
    let result = await get('queue')
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, 'say "hi"\n')
    result = await get('app')
    assert.equal(result.stdout, 'after\n')
  })

  it('a quoted value may span lines; the next setting is read after it', async () => {
    writeFileSync(join(dir.path, '.env'), 'QUEUE_NAME="first\nsecond"\nHEROKU_APP=\'one\ntwo\'\nSERVICEBUS_NAMESPACE=ns\n')
    let result = await get('queue')
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, 'first\nsecond\n')
    result = await get('app')
    assert.equal(result.stdout, 'one\ntwo\n')
    result = await get('namespace')
    assert.equal(result.stdout, 'ns\n')
  })

  it('an unterminated quote is still exit 2 naming the line where it starts', async () => {
    writeFileSync(join(dir.path, '.env'), 'HEROKU_APP=ok\nQUEUE_NAME="never closed\nSERVICEBUS_NAMESPACE=ns\n')
    const result = await get('queue')
    assert.equal(result.code, 2, result.stderr)
    assert.match(result.stderr, /\.env:2: unterminated or malformed quoted value/)
  })
})
