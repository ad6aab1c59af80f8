// The import arrows point one way (docs/ARCHITECTURE.md, "Layers"):
//   commands -> lib -> common, lib -> emulator (the CLI starts it), emulator -> common.
// common imports none of them, the emulator never imports lib or commands, lib never imports commands.
import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import {describe, it} from 'node:test'

import {repoRoot} from '../helpers/cli.js'

const SRC = join(repoRoot, 'src')
const FORBIDDEN: Record<string, string[]> = {
  common: ['lib', 'commands', 'emulator'],
  emulator: ['lib', 'commands'],
  lib: ['commands'],
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap(entry => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? tsFiles(path) : path.endsWith('.ts') ? [path] : []
  })
}

/** The top folder under src/ of a file or import target ('lib', 'emulator', ...). */
const layerOf = (path: string) => relative(SRC, path).split('/')[0]

export function badImports(file: string, text: string): string[] {
  const forbidden = FORBIDDEN[layerOf(file)] ?? []
  const problems: string[] = []
  for (const match of text.matchAll(/(?:from\s*|import\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const target = layerOf(resolve(dirname(file), match[1]))
    if (forbidden.includes(target)) problems.push(`${relative(repoRoot, file)} imports ${match[1]} (${layerOf(file)} -> ${target})`)
  }
  return problems
}

describe('layers', () => {
  it('every import in src/ follows the arrows', () => {
    const problems = tsFiles(SRC).flatMap(file => badImports(file, readFileSync(file, 'utf8')))
    assert.deepEqual(problems, [])
  })

  it('the check catches an emulator file importing lib (so it can fail)', () => {
    const file = join(SRC, 'emulator', 'servicebus', 'logger.ts')
    assert.equal(badImports(file, "import {redact} from '../../lib/redact.js'").length, 1)
    assert.equal(badImports(file, "const x = await import('../../commands/send.js')").length, 1)
    assert.deepEqual(badImports(file, "import {redact} from '../../common/redact.js'"), [])
  })
})
