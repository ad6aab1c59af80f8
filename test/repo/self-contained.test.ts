// The repository is complete on its own: no source, test, benchmark or script reads a path outside
// it (a user's clone has nothing beside it). Every relative path literal is resolved from its file's
// folder and must stay inside the repo; `join(repoRoot, '..')`-style climbs are refused outright.
import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {repoRoot} from '../helpers/cli.js'

const CHECKED = ['src', 'test', 'bench', 'scripts']

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap(entry => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return /\.(ts|mts|cts|js|mjs|cjs)$/.test(entry.name) ? [path] : []
  })
}

/** Problems in one file's text: relative literals that leave the repo, and climbs above its root. */
export function outsideReads(file: string, text: string): string[] {
  const problems: string[] = []
  for (const match of text.matchAll(/['"`](\.\.\/[^'"`$\s]*)['"`]/g)) {
    const target = resolve(dirname(file), match[1])
    if (relative(repoRoot, target).startsWith('..')) problems.push(`${match[1]} leaves the repository`)
  }
  for (const match of text.matchAll(/(?:repoRoot|ROOT|root)\s*,\s*['"]\.\.['"]/g)) problems.push(`${match[0]} climbs above the repository`)
  if (/['"]\.\.['"]\s*,\s*['"]shared['"]|\.\.\/shared\b/.test(text)) problems.push('reads the "shared" folder beside the repository')
  return problems
}

describe('the repository is self-contained', () => {
  it('no file under src/, test/, bench/ or scripts/ reads from outside the repository', () => {
    // This file is left out: its own samples below climb out on purpose.
    const files = CHECKED.flatMap(dir => sourceFiles(join(repoRoot, dir))).filter(file => file !== fileURLToPath(import.meta.url))
    const problems = files.flatMap(file =>
      outsideReads(file, readFileSync(file, 'utf8')).map(problem => `${relative(repoRoot, file)}: ${problem}`),
    )
    assert.deepEqual(problems, [])
  })

  it('the check catches a climb out of the repository (so it can fail)', () => {
    const file = join(repoRoot, 'test', 'heroku', 'helpers', 'schema.ts')
    // Built from parts, so this file's own text never names the folder it checks for.
    const up = '..'
    const sibling = 'shared'
    assert.equal(outsideReads(file, `join(repoRoot, '${up}', '${sibling}', 'heroku')`).length, 2)
    assert.equal(outsideReads(file, `readFileSync('../../../${up}/${sibling}/x.json')`).length, 2)
    assert.deepEqual(outsideReads(file, "import x from '../../../src/lib/output.js'"), [])
  })
})
