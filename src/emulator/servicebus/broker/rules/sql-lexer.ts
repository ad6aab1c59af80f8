// Tokens of the Service Bus SQL filter and action language (a subset of SQL-92): identifiers
// (regular, [delimited] and "quoted"), 'strings' with '' escapes, numbers, operators, and
// keywords (case-insensitive). A hand-written scanner: one pass, no regular expressions over
// the whole text.
import {SqlSyntaxError} from './sql-ast.js'

export type TokenKind = 'identifier' | 'keyword' | 'string' | 'integer' | 'decimal' | 'operator' | 'end'

export interface Token {
  kind: TokenKind
  /** Keywords upper-cased; identifiers as written (unquoted); strings unescaped. */
  text: string
  position: number
}

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IS', 'NULL', 'IN', 'LIKE', 'ESCAPE', 'EXISTS', 'TRUE', 'FALSE', 'SET', 'REMOVE'])
const OPERATORS = ['<>', '!=', '>=', '<=', '=', '<', '>', '+', '-', '*', '/', '%', '(', ')', ',', '.', ';']

const isDigit = (c: string) => c >= '0' && c <= '9'
const isIdentifierStart = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === '@' || c > '\u007f'
const isIdentifierPart = (c: string) => isIdentifierStart(c) || isDigit(c) || c === '$'

export function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  const closing = (open: number, quote: string, what: string): {value: string; end: number} => {
    let value = ''
    let j = open + 1
    for (;;) {
      if (j >= text.length) throw new SqlSyntaxError(`unterminated ${what} starting at position ${open}`, open)
      if (text[j] === quote) {
        if (text[j + 1] === quote) {
          value += quote
          j += 2
          continue
        }
        return {value, end: j + 1}
      }
      value += text[j++]
    }
  }
  while (i < text.length) {
    const c = text[i]
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++
      continue
    }
    const start = i
    if (c === "'") {
      const {value, end} = closing(i, "'", 'string')
      tokens.push({kind: 'string', text: value, position: start})
      i = end
    } else if (c === '[') {
      const {value, end} = closing(i, ']', 'delimited identifier')
      tokens.push({kind: 'identifier', text: value, position: start})
      i = end
    } else if (c === '"') {
      const {value, end} = closing(i, '"', 'quoted identifier')
      tokens.push({kind: 'identifier', text: value, position: start})
      i = end
    } else if (isDigit(c) || (c === '.' && isDigit(text[i + 1] ?? ''))) {
      let decimal = false
      while (i < text.length && isDigit(text[i])) i++
      if (text[i] === '.') {
        decimal = true
        i++
        while (i < text.length && isDigit(text[i])) i++
      }
      if (text[i] === 'e' || text[i] === 'E') {
        decimal = true
        i++
        if (text[i] === '+' || text[i] === '-') i++
        if (!isDigit(text[i] ?? '')) throw new SqlSyntaxError(`malformed number at position ${start}`, start)
        while (i < text.length && isDigit(text[i])) i++
      }
      tokens.push({kind: decimal ? 'decimal' : 'integer', text: text.slice(start, i), position: start})
    } else if (isIdentifierStart(c)) {
      while (i < text.length && isIdentifierPart(text[i])) i++
      const word = text.slice(start, i)
      const upper = word.toUpperCase()
      tokens.push(KEYWORDS.has(upper) ? {kind: 'keyword', text: upper, position: start} : {kind: 'identifier', text: word, position: start})
    } else {
      const operator = OPERATORS.find(op => text.startsWith(op, i))
      if (!operator) throw new SqlSyntaxError(`unexpected character '${c}' at position ${i}`, i)
      tokens.push({kind: 'operator', text: operator, position: start})
      i += operator.length
    }
  }
  tokens.push({kind: 'end', text: '', position: text.length})
  return tokens
}
