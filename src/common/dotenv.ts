// A strict reader for the `.env` file in the working directory. Unlike the lenient parsers, a line
// it cannot read is an error naming the line, so a typo never silently drops a setting.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {UsageError} from './errors.js'

const LINE = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/

function unquote(raw: string, file: string, lineNumber: number): string {
  const value = raw.trim()
  const quote = value[0]
  if (quote === '"' || quote === "'") {
    const end = value.indexOf(quote, 1)
    const rest = end === -1 ? '' : value.slice(end + 1).trim()
    if (end === -1 || (rest !== '' && !rest.startsWith('#'))) {
      throw new UsageError(`${file}:${lineNumber}: unterminated or malformed quoted value`, {
        hint: 'Write NAME="value" with matching quotes, one setting a line.',
      })
    }
    const inner = value.slice(1, end)
    return quote === '"' ? inner.replace(/\\n/g, '\n').replace(/\\"/g, '"') : inner
  }
  // An unquoted value ends at an inline comment (" #").
  return value.replace(/\s+#.*$/, '')
}

export function parseDotenv(text: string, file = '.env'): Record<string, string> {
  const values: Record<string, string> = {}
  const lines = text.split(/\r?\n/)
  for (const [index, line] of lines.entries()) {
    const trimmed = line.trim()
    if (trimmed === '' || trimmed.startsWith('#')) continue
    const match = LINE.exec(trimmed)
    if (!match) {
      throw new UsageError(`${file}:${index + 1}: expected NAME=value`, {
        hint: 'Each line of .env is NAME=value, a comment (#) or blank.',
      })
    }
    values[match[1]] = unquote(match[2], file, index + 1)
  }
  return values
}

/** The `.env` file of a directory, or an empty map when there is none. */
export function readDotenv(dir: string): Record<string, string> {
  const file = join(dir, '.env')
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`)
  }
  return parseDotenv(text, file)
}
