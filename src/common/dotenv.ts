// A strict reader for the `.env` file in the working directory. Unlike the lenient parsers, a line
// it cannot read is an error naming the line, so a typo never silently drops a setting.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {UsageError} from './errors.js'

const LINE = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/

const malformed = (file: string, lineNumber: number) =>
  new UsageError(`${file}:${lineNumber}: unterminated or malformed quoted value`, {
    hint: 'Write NAME="value" with matching quotes (\\" inside double quotes), one setting a line; a quoted value may span lines.',
  })

/** Where the closing quote is in `text` (from `start`), honouring \" and \\ inside double quotes. */
function closingQuote(text: string, quote: string, start: number): number {
  for (let i = start; i < text.length; i++) {
    if (quote === '"' && text[i] === '\\') i++
    else if (text[i] === quote) return i
  }
  return -1
}

function unescapeDouble(inner: string): string {
  return inner.replace(/\\([\\"n])/g, (_, char: string) => (char === 'n' ? '\n' : char))
}

export function parseDotenv(text: string, file = '.env'): Record<string, string> {
  const values: Record<string, string> = {}
  const lines = text.split(/\r?\n/)
  for (let index = 0; index < lines.length; index++) {
    const trimmed = lines[index].trim()
    if (trimmed === '' || trimmed.startsWith('#')) continue
    const match = LINE.exec(trimmed)
    if (!match) {
      throw new UsageError(`${file}:${index + 1}: expected NAME=value`, {
        hint: 'Each line of .env is NAME=value, a comment (#) or blank.',
      })
    }
    const startLine = index + 1
    let value = match[2].trim()
    const quote = value[0]
    if (quote !== '"' && quote !== "'") {
      // An unquoted value ends at an inline comment (" #").
      values[match[1]] = value.replace(/\s+#.*$/, '')
      continue
    }
    // A quoted value ends at its closing quote, on this line or a later one.
    let end = closingQuote(value, quote, 1)
    while (end === -1 && index + 1 < lines.length) {
      index++
      value += `\n${lines[index]}`
      end = closingQuote(value, quote, 1)
    }
    const rest = end === -1 ? '' : value.slice(end + 1).trim()
    if (end === -1 || (rest !== '' && !rest.startsWith('#'))) throw malformed(file, startLine)
    const inner = value.slice(1, end)
    values[match[1]] = quote === '"' ? unescapeDouble(inner) : inner
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
