// The SQL filter language, case by case, against Microsoft's "Subscription Rule SQL Filter
// Syntax": each operator, three-valued logic (a missing user property is unknown, NULL
// comparisons are unknown, a filter matches only when TRUE), numeric promotion, LIKE with `%`,
// `_` and ESCAPE, IN, IS [NOT] NULL, EXISTS, sys. properties (a missing system property is an
// error), quoted identifiers, and syntax errors refused at parse time.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {
  FilterEvaluationError,
  filterMatches,
  likeMatches,
  type FilterMessage,
} from '../../../src/emulator/servicebus/broker/rules/sql-eval.js'
import {parseSqlAction, parseSqlFilter} from '../../../src/emulator/servicebus/broker/rules/sql-parser.js'
import {SqlSyntaxError} from '../../../src/emulator/servicebus/broker/rules/sql-ast.js'
import {applyAction} from '../../../src/emulator/servicebus/broker/rules/sql-eval.js'
import {compileRule, copiesFor} from '../../../src/emulator/servicebus/broker/rules/rule.js'

const message: FilterMessage = {
  system: new Map<string, string | number>([
    ['messageid', 'm-1'],
    ['label', 'order'],
    ['correlationid', 'c-9'],
    ['contenttype', 'application/json'],
    ['sequencenumber', 42],
  ]),
  user: {color: 'red', size: 3, price: 2.5, vip: true, nothing: null, 'with space': 'yes', pct: '50%', under: 'a_b'},
}

const CASES: Array<[string, boolean]> = [
  // comparison
  ["color = 'red'", true],
  ["color = 'RED'", false],
  ["color <> 'blue'", true],
  ["color != 'blue'", true],
  ['size > 2', true],
  ['size >= 3', true],
  ['size < 3', false],
  ['size <= 3', true],
  // numeric promotion: integer and decimal compare by value
  ['size = 3.0', true],
  ['price > 2', true],
  ['price = 2.5', true],
  ['1.5e0 < price', true],
  // unrelated types never compare (unknown -> no match either way)
  ["size = '3'", false],
  ["NOT (size = '3')", false],
  ['vip = true', true],
  ['vip = 1', false],
  // arithmetic (integer division truncates, as in C#)
  ['size + 1 = 4', true],
  ['size * price = 7.5', true],
  ['size / 2 = 1', true],
  ['size % 2 = 1', true],
  ['-size = -3', true],
  ['size - 2 * 2 = -1', true],
  ['(size - 2) * 2 = 2', true],
  // missing user properties are unknown; NULL compares to nothing
  ['missing = 1', false],
  ['NOT (missing = 1)', false],
  ['missing <> 1', false],
  ['nothing = NULL', false],
  ['missing + 1 = 2', false],
  // three-valued AND / OR / NOT
  ["missing = 1 OR color = 'red'", true],
  ["missing = 1 AND color = 'red'", false],
  ["NOT (missing = 1 AND color = 'blue')", true],
  ["color = 'red' AND NOT size = 4", true],
  ["color = 'blue' OR size = 3 AND price = 2.5", true],
  // IS [NOT] NULL, EXISTS
  ['missing IS NULL', true],
  ['nothing IS NULL', true],
  ['color IS NULL', false],
  ['color IS NOT NULL', true],
  ['EXISTS(color)', true],
  ['EXISTS(nothing)', true],
  ['EXISTS(missing)', false],
  ['NOT EXISTS(missing)', true],
  // IN
  ["color IN ('blue', 'red')", true],
  ["color NOT IN ('blue', 'red')", false],
  ['size IN (1, 2, 3)', true],
  ['missing IN (1, 2)', false],
  ['missing NOT IN (1, 2)', false],
  // LIKE
  ["color LIKE 'r%'", true],
  ["color LIKE 'r_d'", true],
  ["color LIKE 'R%'", false],
  ["color NOT LIKE 'b%'", true],
  ["pct LIKE '50!%' ESCAPE '!'", true],
  ["color LIKE 're!%' ESCAPE '!'", false],
  ["under LIKE 'a\\_b' ESCAPE '\\'", true],
  ["under LIKE 'a\\_c' ESCAPE '\\'", false],
  ["missing LIKE '%'", false],
  ["size LIKE '3'", false],
  // system properties (case-insensitive names; Subject is Label)
  ["sys.Label = 'order'", true],
  ["sys.label = 'order'", true],
  ["sys.Subject = 'order'", true],
  ["sys.CorrelationId = 'c-9'", true],
  ["sys.MessageId LIKE 'm-%'", true],
  ['sys.SequenceNumber > 40', true],
  ['sys.To IS NULL', true],
  ["sys.ContentType = 'application/json'", true],
  // scopes, quoted identifiers, strings with quotes
  ["user.color = 'red'", true],
  ["[with space] = 'yes'", true],
  ['"with space" = \'yes\'', true],
  ["color = 'it''s'", false],
  // constants
  ['TRUE', true],
  ['FALSE', false],
  ['1 = 1', true],
  ['NOT FALSE', true],
  ["property('color') = 'red'", true],
  ["property('sys.Label') = 'order'", true],
]

test('SQL filter cases match as Microsoft documents', () => {
  for (const [expression, expected] of CASES) {
    assert.equal(filterMatches(parseSqlFilter(expression), message), expected, expression)
  }
})

test('an unknown system property is an evaluation error, an unknown user property is not', () => {
  assert.throws(() => filterMatches(parseSqlFilter("sys.Colour = 'red'"), message), FilterEvaluationError)
  assert.equal(filterMatches(parseSqlFilter("Colour = 'red'"), message), false)
  assert.throws(() => filterMatches(parseSqlFilter('size / 0 = 1'), message), FilterEvaluationError)
})

test('invalid SQL is refused by the parser, with the position', () => {
  for (const expression of [
    '',
    "color = 'red",
    'color ==',
    'AND size',
    'size >',
    'color IN ()',
    "color LIKE 'x' ESCAPE",
    'foo.bar = 1',
    'unknownfn(1)',
    'size = 1 garbage',
    '[unterminated',
  ]) {
    assert.throws(() => parseSqlFilter(expression), SqlSyntaxError, expression)
  }
  assert.throws(() => compileRule({name: 'bad', filter: {kind: 'sql', sqlExpression: 'color ='}, createdAt: 0}), /is not valid/)
})

test('LIKE matches without regular expressions, escapes included', () => {
  assert.equal(likeMatches('abc', '%'), true)
  assert.equal(likeMatches('', '%'), true)
  assert.equal(likeMatches('', '_'), false)
  assert.equal(likeMatches('a.c', 'a.c'), true)
  assert.equal(likeMatches('abc', 'a.c'), false)
  assert.equal(likeMatches('a%c', 'a#%c', '#'), true)
  assert.equal(likeMatches('axc', 'a#%c', '#'), false)
})

test("rule actions SET and REMOVE change the copy's application properties", () => {
  const {user, system} = applyAction(parseSqlAction("SET color = 'blue'; SET size = size + 1; REMOVE vip; SET seen = sys.Label"), message)
  assert.equal(user.color, 'blue')
  assert.equal(user.size, 4)
  assert.equal(user.seen, 'order')
  assert.equal(Object.hasOwn(user, 'vip'), false)
  assert.equal(system.size, 0)
  assert.throws(() => parseSqlAction('DROP color'), SqlSyntaxError)
})

test('rule actions SET and REMOVE settable system properties; read-only ones are refused at rule creation', () => {
  const {user, system} = applyAction(
    parseSqlAction(
      "SET sys.Label = 'x'; SET sys.To = sys.Subject + '-queue'; REMOVE sys.CorrelationId; SET sys.SessionId = color; SET was = sys.Label",
    ),
    message,
  )
  assert.deepEqual(
    [...system],
    [
      ['label', 'x'],
      ['to', 'x-queue'],
      ['correlationid', null],
      ['sessionid', 'red'],
    ],
  )
  assert.equal(user.was, 'x', 'a later statement sees what an earlier one set')
  for (const property of ['MessageId', 'ReplyTo', 'ReplyToSessionId', 'ContentType', 'Subject']) {
    compileRule({name: 'ok', filter: {kind: 'true'}, action: {sqlExpression: `SET sys.${property} = 'v'`}, createdAt: 0})
  }
  for (const property of ['SequenceNumber', 'EnqueuedTimeUtc', 'DeliveryCount', 'Size', 'ExpiresAtUtc', 'LockToken', 'Nonsense']) {
    assert.throws(
      () => compileRule({name: 'bad', filter: {kind: 'true'}, action: {sqlExpression: `SET sys.${property} = 1`}, createdAt: 0}),
      (error: Error & {code?: string}) => error.code === 'BadRequest' && /SubCode=40000/.test(error.message),
      property,
    )
  }
  assert.throws(() => applyAction(parseSqlAction('REMOVE sys.MessageId'), message), FilterEvaluationError)
})

test('several rules: one plain copy for the rules without actions, one per matching rule with an action', () => {
  const rules = [
    compileRule({name: 'a', filter: {kind: 'sql', sqlExpression: "color = 'red'"}, createdAt: 0}),
    compileRule({name: 'b', filter: {kind: 'true'}, createdAt: 0}),
    compileRule({name: 'c', filter: {kind: 'sql', sqlExpression: 'size = 3'}, action: {sqlExpression: "SET tag = 'c'"}, createdAt: 0}),
    compileRule({name: 'd', filter: {kind: 'false'}, action: {sqlExpression: "SET tag = 'd'"}, createdAt: 0}),
  ]
  const copies = copiesFor(rules, message)
  assert.equal(copies.length, 2)
  assert.equal(copies[0], undefined)
  assert.equal(copies[1]!.user.tag, 'c')
})

test('correlation filters: every given system property and application property must match', () => {
  const fields = {correlationId: 'c-9', messageId: 'm-1', subject: 'order', contentType: 'application/json'}
  for (const [field, value] of Object.entries(fields)) {
    assert.equal(compileRule({name: 'r', filter: {kind: 'correlation', [field]: value}, createdAt: 0}).matches(message), true, field)
    assert.equal(compileRule({name: 'r', filter: {kind: 'correlation', [field]: `${value}x`}, createdAt: 0}).matches(message), false, field)
  }
  for (const field of ['to', 'replyTo', 'sessionId', 'replyToSessionId']) {
    assert.equal(compileRule({name: 'r', filter: {kind: 'correlation', [field]: 'x'}, createdAt: 0}).matches(message), false, field)
  }
  const withProps = compileRule({
    name: 'r',
    filter: {kind: 'correlation', subject: 'order', applicationProperties: {color: 'red', size: 3}},
    createdAt: 0,
  })
  assert.equal(withProps.matches(message), true)
  const mismatch = compileRule({
    name: 'r',
    filter: {kind: 'correlation', subject: 'order', applicationProperties: {color: 'blue'}},
    createdAt: 0,
  })
  assert.equal(mismatch.matches(message), false)
  assert.throws(() => compileRule({name: 'r', filter: {kind: 'correlation'}, createdAt: 0}), /at least one/)
})
