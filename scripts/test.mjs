// Runs every test/**/*.test.ts with node:test (TypeScript through tsx), two files at a time. A test
// that hangs fails after --test-timeout instead of stalling CI.
// Extra arguments are passed to node --test (e.g. a file list or --test-name-pattern).
import {spawnSync} from 'node:child_process'
import {readdirSync} from 'node:fs'
import {join} from 'node:path'

function findTests(dir) {
  return readdirSync(dir, {withFileTypes: true}).flatMap(entry => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : findTests(path)
    return entry.name.endsWith('.test.ts') ? [path] : []
  })
}

const extra = process.argv.slice(2)
const files = extra.some(arg => arg.endsWith('.ts')) ? [] : findTests('test').sort()
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=180000', ...extra, ...files],
  {stdio: 'inherit'},
)
process.exit(result.status ?? 1)
