// Help that reads well, checked on the shipped manifest: every command's summary ends a sentence,
// no description paragraph is hard-wrapped (oclif re-wraps it into ragged lines), and every
// command has examples whose command lines start with "$ qjob".
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {repoRoot} from '../helpers/cli.js'

interface ManifestCommand {
  summary?: string
  description?: string
  examples?: Array<string | {command: string; description?: string}>
}

const manifest = JSON.parse(readFileSync(join(repoRoot, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, ManifestCommand>}
const commands = Object.entries(manifest.commands)
// A line that starts a list item or is indented may follow another line in a paragraph.
const LIST_LINE = /^\s*([-*•]|\d+\.)\s|^\s{2}/

describe('help text', () => {
  it('the manifest lists the commands', () => {
    assert.ok(commands.length >= 30)
  })

  for (const [id, command] of commands) {
    it(`${id.replaceAll(':', ' ')}: a summary that ends a sentence, unwrapped paragraphs, examples with "$ qjob"`, () => {
      const description = command.description ?? ''
      const summary = (command.summary ?? description.split('\n')[0]).trim()
      assert.match(summary, /[.?!]$/, `summary "${summary}" ends a sentence`)
      const body = command.summary ? description : description.split('\n').slice(1).join('\n')
      for (const paragraph of body.split(/\n\s*\n/)) {
        const lines = paragraph.split('\n').filter(line => line.trim() !== '')
        for (let i = 1; i < lines.length; i++) {
          assert.match(lines[i], LIST_LINE, `hard-wrapped paragraph: "${lines[i - 1]}" / "${lines[i]}"`)
        }
      }
      const examples = command.examples ?? []
      assert.ok(examples.length >= 1, 'has at least one example')
      for (const example of examples) {
        const line = typeof example === 'string' ? example : example.command
        assert.ok(line.startsWith('<%= config.bin %> '), `example "${line}" starts with "$ qjob"`)
        if (typeof example !== 'string') assert.ok(example.description, `example "${line}" says what it does`)
      }
    })
  }
})
