import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {
  AuthError,
  describeError,
  exitCodeOf,
  ExitStatus,
  NotFoundError,
  OperationError,
  QjobError,
  UsageError,
} from '../src/common/errors.js'

describe('exit codes', () => {
  const table: Array<[unknown, number]> = [
    [new OperationError('x'), 1],
    [new QjobError('x'), 1],
    [new UsageError('x'), 2],
    [new NotFoundError('x'), 3],
    [new AuthError('x'), 4],
    [new ExitStatus(42), 42],
    [Object.assign(new Error('Nonexistent flag: --x'), {oclif: {exit: 2}}), 2],
    [new Error('boom'), 1],
    ['a string', 1],
  ]
  for (const [error, code] of table) {
    it(`${error instanceof Error ? error.name : typeof error} -> ${code}`, () => assert.equal(exitCodeOf(error), code))
  }
})

describe('describeError', () => {
  it('prints one line and a hint, no stack', () => {
    const text = describeError(new UsageError('no queue given\nmore detail', {hint: 'Pass --queue.'}))
    assert.equal(text, 'Error: no queue given\nHint: Pass --queue.')
  })

  it('adds the stack only when asked', () => {
    assert.match(describeError(new Error('boom'), {debug: true}), /\n.*at /)
  })
})
