// A Pratt parser for SQL filter expressions and rule actions (Microsoft's "Subscription Rule SQL
// Filter Syntax" and "SQL Rule Action Syntax"). Binding powers, low to high: OR, AND, NOT,
// comparisons (= <> != < <= > >=, IS [NOT] NULL, [NOT] IN, [NOT] LIKE), + -, * / %, unary + -.
import {SqlSyntaxError, type PropertyRef, type SqlNode, type SqlStatement} from './sql-ast.js'
import {tokenize, type Token} from './sql-lexer.js'

const POWER = {OR: 1, AND: 2, NOT: 3, COMPARE: 4, ADD: 5, MULTIPLY: 6, UNARY: 7} as const
const COMPARISONS = new Set(['=', '<>', '!=', '<', '<=', '>', '>='])

class Parser {
  private index = 0
  constructor(private readonly tokens: Token[]) {}

  get current(): Token {
    return this.tokens[this.index]
  }

  private next(): Token {
    return this.tokens[this.index++]
  }

  private fail(message: string, token = this.current): never {
    throw new SqlSyntaxError(`${message} at position ${token.position}`, token.position)
  }

  isOperator(text: string): boolean {
    return this.current.kind === 'operator' && this.current.text === text
  }

  isKeyword(text: string): boolean {
    return this.current.kind === 'keyword' && this.current.text === text
  }

  expectOperator(text: string): void {
    if (!this.isOperator(text)) this.fail(`expected '${text}' but found ${describe(this.current)}`)
    this.index++
  }

  expectKeyword(text: string): void {
    if (!this.isKeyword(text)) this.fail(`expected ${text} but found ${describe(this.current)}`)
    this.index++
  }

  expectEnd(): void {
    if (this.current.kind !== 'end') this.fail(`unexpected ${describe(this.current)}`)
  }

  expression(minPower = 0): SqlNode {
    let left = this.prefix()
    for (;;) {
      const token = this.current
      const power = infixPower(token, this.tokens[this.index + 1])
      if (power === undefined || power <= minPower) return left
      left = this.infix(left, power)
    }
  }

  private prefix(): SqlNode {
    const token = this.next()
    switch (token.kind) {
      case 'integer':
      case 'decimal': {
        const value = Number(token.text)
        if (!Number.isFinite(value)) this.fail(`number out of range`, token)
        return {kind: 'constant', value}
      }
      case 'string':
        return {kind: 'constant', value: token.text}
      case 'keyword':
        if (token.text === 'TRUE' || token.text === 'FALSE') return {kind: 'constant', value: token.text === 'TRUE'}
        if (token.text === 'NULL') return {kind: 'constant', value: null}
        if (token.text === 'NOT') return {kind: 'unary', op: 'NOT', operand: this.expression(POWER.NOT)}
        if (token.text === 'EXISTS') {
          this.expectOperator('(')
          const ref = this.property()
          this.expectOperator(')')
          return {kind: 'exists', ref}
        }
        return this.fail(`unexpected keyword ${token.text}`, token)
      case 'operator':
        if (token.text === '(') {
          const inner = this.expression()
          this.expectOperator(')')
          return inner
        }
        if (token.text === '-' || token.text === '+') return {kind: 'unary', op: token.text, operand: this.expression(POWER.UNARY)}
        return this.fail(`unexpected '${token.text}'`, token)
      case 'identifier':
        this.index--
        return this.identifierExpression()
      default:
        return this.fail('the expression ends too early', token)
    }
  }

  /** A property, a parameter (@name) or a function call (newid(), property('name')). */
  private identifierExpression(): SqlNode {
    const token = this.current
    if (token.text.startsWith('@')) {
      this.index++
      return {kind: 'parameter', name: token.text}
    }
    if (this.tokens[this.index + 1]?.kind === 'operator' && this.tokens[this.index + 1].text === '(') {
      const name = token.text.toLowerCase()
      if (name !== 'newid' && name !== 'property') this.fail(`unknown function '${token.text}'`, token)
      this.index += 2
      const args: SqlNode[] = []
      if (!this.isOperator(')')) {
        do args.push(this.expression())
        while (this.isOperator(',') && this.next())
      }
      this.expectOperator(')')
      if (name === 'newid' && args.length !== 0) this.fail('newid() takes no arguments', token)
      if (name === 'property' && args.length !== 1) this.fail('property() takes one argument', token)
      return {kind: 'function', name, args}
    }
    return {kind: 'property', ref: this.property()}
  }

  property(): PropertyRef {
    const first = this.next()
    if (first.kind !== 'identifier') this.fail(`expected a property name but found ${describe(first)}`, first)
    if (this.isOperator('.')) {
      const scope = first.text.toLowerCase()
      if (scope !== 'sys' && scope !== 'user') this.fail(`unknown scope '${first.text}' (use sys or user)`, first)
      this.index++
      const name = this.next()
      if (name.kind !== 'identifier' && name.kind !== 'keyword') this.fail(`expected a property name after '${first.text}.'`, name)
      return {scope, name: name.text}
    }
    return {scope: 'user', name: first.text}
  }

  private infix(left: SqlNode, power: number): SqlNode {
    const token = this.next()
    if (token.kind === 'keyword') {
      switch (token.text) {
        case 'AND':
        case 'OR':
          return {kind: 'binary', op: token.text, left, right: this.expression(power)}
        case 'IS': {
          const negated = this.isKeyword('NOT') && Boolean(this.next())
          this.expectKeyword('NULL')
          return {kind: 'isNull', operand: left, negated}
        }
        case 'NOT': {
          if (this.isKeyword('IN')) {
            this.index++
            return this.inList(left, true)
          }
          this.expectKeyword('LIKE')
          return this.like(left, true)
        }
        case 'IN':
          return this.inList(left, false)
        case 'LIKE':
          return this.like(left, false)
      }
    }
    const op = token.text === '!=' ? '<>' : token.text
    return {kind: 'binary', op: op as Extract<SqlNode, {kind: 'binary'}>['op'], left, right: this.expression(power)}
  }

  private inList(operand: SqlNode, negated: boolean): SqlNode {
    this.expectOperator('(')
    const list: SqlNode[] = [this.expression(POWER.COMPARE)]
    while (this.isOperator(',')) {
      this.index++
      list.push(this.expression(POWER.COMPARE))
    }
    this.expectOperator(')')
    return {kind: 'in', operand, list, negated}
  }

  private like(operand: SqlNode, negated: boolean): SqlNode {
    const pattern = this.expression(POWER.COMPARE)
    let escape: SqlNode | undefined
    if (this.isKeyword('ESCAPE')) {
      this.index++
      escape = this.expression(POWER.COMPARE)
    }
    return {kind: 'like', operand, pattern, escape, negated}
  }
}

function infixPower(token: Token, after: Token | undefined): number | undefined {
  if (token.kind === 'keyword') {
    if (token.text === 'OR') return POWER.OR
    if (token.text === 'AND') return POWER.AND
    if (token.text === 'IS' || token.text === 'IN' || token.text === 'LIKE') return POWER.COMPARE
    if (token.text === 'NOT' && after?.kind === 'keyword' && (after.text === 'IN' || after.text === 'LIKE')) return POWER.COMPARE
    return undefined
  }
  if (token.kind !== 'operator') return undefined
  if (COMPARISONS.has(token.text)) return POWER.COMPARE
  if (token.text === '+' || token.text === '-') return POWER.ADD
  if (token.text === '*' || token.text === '/' || token.text === '%') return POWER.MULTIPLY
  return undefined
}

function describe(token: Token): string {
  if (token.kind === 'end') return 'the end of the expression'
  if (token.kind === 'string') return `'${token.text}'`
  return `'${token.text}'`
}

/** Parses a filter expression (SqlFilter / SqlRuleFilter sqlExpression). */
export function parseSqlFilter(text: string): SqlNode {
  const parser = new Parser(tokenize(text))
  if (parser.current.kind === 'end') throw new SqlSyntaxError('the filter expression is empty', 0)
  const node = parser.expression()
  parser.expectEnd()
  return node
}

/** Parses a rule action: `SET p = expr; REMOVE q; ...` (statements separated by ';'). */
export function parseSqlAction(text: string): SqlStatement[] {
  const parser = new Parser(tokenize(text))
  const statements: SqlStatement[] = []
  while (parser.current.kind !== 'end') {
    if (parser.isOperator(';')) {
      parser.expectOperator(';')
      continue
    }
    if (parser.isKeyword('SET')) {
      parser.expectKeyword('SET')
      const ref = parser.property()
      parser.expectOperator('=')
      statements.push({kind: 'set', ref, value: parser.expression()})
    } else if (parser.isKeyword('REMOVE')) {
      parser.expectKeyword('REMOVE')
      statements.push({kind: 'remove', ref: parser.property()})
    } else {
      throw new SqlSyntaxError(`expected SET or REMOVE at position ${parser.current.position}`, parser.current.position)
    }
    if (!parser.isOperator(';')) parser.expectEnd()
  }
  if (statements.length === 0) throw new SqlSyntaxError('the action is empty', 0)
  return statements
}
