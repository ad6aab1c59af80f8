// Typed errors and the exit codes of docs/ARCHITECTURE.md. Library code throws these; the base command turns
// them into one redacted line (plus a hint) on stderr and the process exit code.
import {redact} from './redact.js'

export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  notFound: 3,
  unauthorized: 4,
} as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

export interface QjobErrorOptions {
  hint?: string
  cause?: unknown
}

export class QjobError extends Error {
  readonly exitCode: ExitCode = ExitCode.failed
  readonly hint?: string

  constructor(message: string, options: QjobErrorOptions = {}) {
    super(message, {cause: options.cause})
    this.name = new.target.name
    this.hint = options.hint
  }
}

/** The operation failed: a service error, a timeout, a crash of the thing we ran. Exit 1. */
export class OperationError extends QjobError {
  override readonly exitCode = ExitCode.failed
}

/** Bad usage or bad input: nothing was sent or changed. Exit 2. */
export class UsageError extends QjobError {
  override readonly exitCode = ExitCode.usage
}

/** A queue, app, dyno, sequence number or setting that does not exist. Exit 3. */
export class NotFoundError extends QjobError {
  override readonly exitCode = ExitCode.notFound
}

/** Missing or invalid credentials, or credentials without the needed rights. Exit 4. */
export class AuthError extends QjobError {
  override readonly exitCode = ExitCode.unauthorized
}

/** Leaves the process with a given code and no message (e.g. a one-off dyno's own exit code). */
export class ExitStatus extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`)
    this.name = 'ExitStatus'
  }
}

const QJOB_ERROR_NAMES = new Set(['QjobError', 'OperationError', 'UsageError', 'NotFoundError', 'AuthError'])

/**
 * A QjobError, also one from another copy of this module (in development a hook loads dist/ while
 * the entry point runs src/): recognised by its name and exit code.
 */
function asQjobError(error: unknown): QjobError | undefined {
  if (error instanceof QjobError) return error
  if (error instanceof Error && QJOB_ERROR_NAMES.has(error.name) && typeof (error as Partial<QjobError>).exitCode === 'number')
    return error as QjobError
  return undefined
}

interface OclifLikeError {
  oclif?: {exit?: number}
}

/** The exit code for any error: ours carry one, oclif's parse errors are usage errors. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof ExitStatus) return error.code
  const qjobError = asQjobError(error)
  if (qjobError) return qjobError.exitCode
  const oclifExit = (error as OclifLikeError | undefined)?.oclif?.exit
  if (typeof oclifExit === 'number') return oclifExit === 0 ? 0 : ExitCode.usage
  return ExitCode.failed
}

/** The user-facing lines for an error: one message line and an optional hint, secrets removed. */
export function describeError(error: unknown, {debug = false} = {}): string {
  const message = error instanceof Error ? error.message : String(error)
  const messageLines = message
    .split('\n')
    .map(line => line.trim())
    .filter(line => line !== '')
  let firstLine = messageLines[0] ?? 'unknown error'
  // oclif flag errors put the detail on the next line ("Parsing --ttl" / "Expected an integer …").
  if (firstLine === 'The following error occurred:' && messageLines[1]) firstLine = messageLines[1]
  else if (/^Parsing --\S+$/.test(firstLine) && messageLines[1]) firstLine = `${firstLine}: ${messageLines[1]}`
  const lines = [`Error: ${firstLine}`]
  const hint = asQjobError(error)?.hint
  if (hint) lines.push(`Hint: ${hint}`)
  if (debug && error instanceof Error && error.stack) lines.push(error.stack)
  return redact(lines.join('\n'))
}

/** The --json form of an error (one object on stderr): the same line and hint, secrets removed. */
export function errorJson(error: unknown): {error: {message: string; hint: string | null; exitCode: number}} {
  const [first, hint] = describeError(error).split('\n')
  return {
    error: {
      message: first.replace(/^Error: /, ''),
      hint: hint ? hint.replace(/^Hint: /, '') : null,
      exitCode: exitCodeOf(error),
    },
  }
}

export function debugEnabled(argv: readonly string[] = process.argv): boolean {
  const debugEnv = process.env.DEBUG ?? ''
  return argv.includes('--debug') || debugEnv.split(',').some(name => name.trim() === 'qjob' || name.trim() === '*')
}
