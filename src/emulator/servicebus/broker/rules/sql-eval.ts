// Evaluates SQL filter expressions and rule actions over a message's properties, with SQL's
// three-valued logic as Microsoft documents it: a missing user property is unknown (a missing
// system property is an error), comparisons and arithmetic with unknown or NULL are unknown,
// AND/OR/NOT follow Kleene logic, and a filter matches only when it is TRUE. Numbers compare
// across integer and decimal types (C#-style promotion); values of unrelated types never
// compare equal or ordered (unknown).
import {randomUUID} from 'node:crypto'

import type {PropertyRef, SqlNode, SqlStatement} from './sql-ast.js'

export type SqlValue = string | number | boolean | null | undefined

/** What a filter sees of a message: system properties (lower-cased names) and application properties. */
export interface FilterMessage {
  system: Map<string, SqlValue>
  user: Record<string, SqlValue>
}

/** The SQL filter met a case it cannot evaluate (an unknown system property, a bad operand). */
export class FilterEvaluationError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'FilterEvaluationError'
  }
}

/** The system properties a filter can read (`sys.Name`, case-insensitive), as Azure names them. */
export const SYSTEM_PROPERTIES = [
  'MessageId',
  'CorrelationId',
  'To',
  'ReplyTo',
  'Label',
  'Subject',
  'SessionId',
  'ReplyToSessionId',
  'ContentType',
  'TimeToLive',
  'ScheduledEnqueueTimeUtc',
  'PartitionKey',
  'ViaPartitionKey',
  'SequenceNumber',
  'EnqueuedTimeUtc',
  'Size',
  'DeliveryCount',
  'ExpiresAtUtc',
  'EnqueuedSequenceNumber',
  'LockToken',
] as const
const SYSTEM_NAMES = new Set(SYSTEM_PROPERTIES.map(name => name.toLowerCase()))

type Parameters = Record<string, SqlValue>

function read(ref: PropertyRef, message: FilterMessage): SqlValue {
  if (ref.scope === 'sys') {
    const key = ref.name.toLowerCase()
    if (!SYSTEM_NAMES.has(key)) throw new FilterEvaluationError(`sys.${ref.name} is not a system property`)
    // `Subject` is the new name of `Label`.
    return message.system.get(systemKey(key)) ?? null
  }
  return Object.hasOwn(message.user, ref.name) ? message.user[ref.name] : undefined
}

const isNumber = (value: SqlValue): value is number => typeof value === 'number'

function compare(op: string, left: SqlValue, right: SqlValue): boolean | undefined {
  if (left === undefined || right === undefined || left === null || right === null) return undefined
  if (typeof left !== typeof right) return undefined
  if (typeof left === 'boolean' && op !== '=' && op !== '<>') return undefined
  switch (op) {
    case '=':
      return left === right
    case '<>':
      return left !== right
    case '<':
      return left < right
    case '<=':
      return left <= right
    case '>':
      return left > right
    case '>=':
      return left >= right
  }
  return undefined
}

function arithmetic(op: string, left: SqlValue, right: SqlValue): SqlValue {
  if (left === undefined || right === undefined || left === null || right === null) return undefined
  if (op === '+' && typeof left === 'string' && typeof right === 'string') return left + right
  if (!isNumber(left) || !isNumber(right)) return undefined
  const integral = Number.isInteger(left) && Number.isInteger(right)
  switch (op) {
    case '+':
      return left + right
    case '-':
      return left - right
    case '*':
      return left * right
    case '/':
      if (integral) {
        if (right === 0) throw new FilterEvaluationError('division by zero')
        return Math.trunc(left / right)
      }
      return left / right
    case '%':
      if (integral && right === 0) throw new FilterEvaluationError('division by zero')
      return left % right
  }
  return undefined
}

function truth(value: SqlValue): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined
}

/** SQL LIKE: `%` any run, `_` one character, `escape` makes the next one literal. */
export function likeMatches(text: string, pattern: string, escape?: string): boolean {
  // Dynamic programming over (text position, pattern position): no regular expressions.
  const tokens: Array<{any?: true; one?: true; char?: string}> = []
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    if (escape !== undefined && c === escape) {
      if (i + 1 >= pattern.length) throw new FilterEvaluationError('the LIKE pattern ends with its escape character')
      tokens.push({char: pattern[++i]})
    } else if (c === '%') tokens.push({any: true})
    else if (c === '_') tokens.push({one: true})
    else tokens.push({char: c})
  }
  let row = new Array<boolean>(text.length + 1).fill(false)
  row[0] = true
  for (const token of tokens) {
    const next = new Array<boolean>(text.length + 1).fill(false)
    if (token.any) {
      let seen = false
      for (let j = 0; j <= text.length; j++) {
        seen ||= row[j]
        next[j] = seen
      }
    } else {
      for (let j = 1; j <= text.length; j++) next[j] = row[j - 1] && (token.one === true || text[j - 1] === token.char)
    }
    row = next
  }
  return row[text.length]
}

export function evaluate(node: SqlNode, message: FilterMessage, parameters: Parameters = {}): SqlValue {
  switch (node.kind) {
    case 'constant':
      return node.value
    case 'property':
      return read(node.ref, message)
    case 'parameter':
      if (!Object.hasOwn(parameters, node.name)) throw new FilterEvaluationError(`the parameter ${node.name} has no value`)
      return parameters[node.name]
    case 'function':
      if (node.name === 'newid') return randomUUID()
      {
        const name = evaluate(node.args[0], message, parameters)
        if (typeof name !== 'string') return undefined
        return name.toLowerCase().startsWith('sys.')
          ? read({scope: 'sys', name: name.slice(4)}, message)
          : read({scope: 'user', name}, message)
      }
    case 'unary': {
      const value = evaluate(node.operand, message, parameters)
      if (node.op === 'NOT') {
        const t = truth(value)
        return t === undefined ? undefined : !t
      }
      if (!isNumber(value)) return undefined
      return node.op === '-' ? -value : value
    }
    case 'binary': {
      if (node.op === 'AND' || node.op === 'OR') {
        const left = truth(evaluate(node.left, message, parameters))
        if (node.op === 'AND' && left === false) return false
        if (node.op === 'OR' && left === true) return true
        const right = truth(evaluate(node.right, message, parameters))
        if (node.op === 'AND') return right === false ? false : left === true && right === true ? true : undefined
        return right === true ? true : left === false && right === false ? false : undefined
      }
      const left = evaluate(node.left, message, parameters)
      const right = evaluate(node.right, message, parameters)
      if (['+', '-', '*', '/', '%'].includes(node.op)) return arithmetic(node.op, left, right)
      return compare(node.op, left, right)
    }
    case 'isNull': {
      const value = evaluate(node.operand, message, parameters)
      const isNull = value === null || value === undefined
      return node.negated ? !isNull : isNull
    }
    case 'in': {
      const value = evaluate(node.operand, message, parameters)
      let result: boolean | undefined = false
      for (const item of node.list) {
        const equal = compare('=', value, evaluate(item, message, parameters))
        if (equal === true) {
          result = true
          break
        }
        if (equal === undefined) result = undefined
      }
      return node.negated && result !== undefined ? !result : result
    }
    case 'like': {
      const value = evaluate(node.operand, message, parameters)
      const pattern = evaluate(node.pattern, message, parameters)
      const escape = node.escape ? evaluate(node.escape, message, parameters) : undefined
      if (escape !== undefined && (typeof escape !== 'string' || escape.length !== 1))
        throw new FilterEvaluationError('the LIKE escape must be one character')
      if (typeof value !== 'string' || typeof pattern !== 'string') return undefined
      const matches = likeMatches(value, pattern, escape)
      return node.negated ? !matches : matches
    }
    case 'exists':
      if (node.ref.scope === 'sys') {
        const value = message.system.get(systemKey(node.ref.name))
        return value !== undefined && value !== null
      }
      return Object.hasOwn(message.user, node.ref.name)
  }
}

/** True only when the filter evaluates to TRUE (FALSE, unknown and non-booleans do not match). */
export function filterMatches(node: SqlNode, message: FilterMessage, parameters?: Parameters): boolean {
  return evaluate(node, message, parameters) === true
}

/**
 * The system properties a rule action can SET or REMOVE (lower-cased; `Subject` is `Label`): the
 * settable string properties of the message (its AMQP properties section, and the partition keys
 * in its annotations). The docs' `sys` scope is "any of the properties on the Service Bus
 * message"; the ones the broker assigns (sequence number, enqueued time, size, delivery count,
 * expiry, lock token) are read-only.
 */
export const SETTABLE_SYSTEM_PROPERTIES: ReadonlySet<string> = new Set([
  'messageid',
  'correlationid',
  'to',
  'replyto',
  'label',
  'sessionid',
  'replytosessionid',
  'contenttype',
  'partitionkey',
  'viapartitionkey',
])

/**
 * Settable on a message, but not by the emulator's rule actions: what a SQL value means for a
 * TimeSpan or a DateTime here is documented nowhere, so the emulator refuses rather than guesses.
 */
const UNSUPPORTED_SETTABLE = new Set(['timetolive', 'scheduledenqueuetimeutc'])

/** `sys.Subject` and `sys.Label` are one property. */
export function systemKey(name: string): string {
  const key = name.toLowerCase()
  return key === 'subject' ? 'label' : key
}

/** Why a rule action cannot SET or REMOVE `sys.name`, or undefined when it can. */
export function unsettableReason(name: string): string | undefined {
  const key = systemKey(name)
  if (SETTABLE_SYSTEM_PROPERTIES.has(key)) return undefined
  if (UNSUPPORTED_SETTABLE.has(key)) return `the emulator's rule actions do not set sys.${name}`
  if (SYSTEM_NAMES.has(key)) return `sys.${name} is read-only`
  return `sys.${name} is not a system property`
}

/** What a rule action makes of a message: its application properties, and the system properties it changed. */
export interface ActionResult {
  user: Record<string, SqlValue>
  /** Changed system properties by systemKey(); null: removed. */
  system: Map<string, string | null>
}

/** SET and REMOVE, in order; a later statement sees what an earlier one set. */
export function applyAction(statements: SqlStatement[], message: FilterMessage, parameters?: Parameters): ActionResult {
  const user = {...message.user}
  const system = new Map(message.system)
  const changed = new Map<string, string | null>()
  const view: FilterMessage = {system, user}
  for (const statement of statements) {
    if (statement.ref.scope === 'sys') {
      const reason = unsettableReason(statement.ref.name)
      if (reason) throw new FilterEvaluationError(reason)
      const key = systemKey(statement.ref.name)
      const value = statement.kind === 'remove' ? null : (evaluate(statement.value, view, parameters) ?? null)
      if (value === null && key === 'messageid') throw new FilterEvaluationError('sys.MessageId cannot be removed')
      // These system properties are strings (.NET's BrokeredMessage), as are their AMQP fields.
      const text = value === null ? null : String(value)
      if (text === null) system.delete(key)
      else system.set(key, text)
      changed.set(key, text)
    } else if (statement.kind === 'remove') delete user[statement.ref.name]
    else user[statement.ref.name] = evaluate(statement.value, view, parameters) ?? null
  }
  return {user, system: changed}
}
