// Writing to stdout and knowing when it got there. Each write resolves once the data is handed to
// the OS (the pipe or file), which is what "written before settled" relies on. When the reader goes
// away (EPIPE: `qjob peek --ndjson | head -1`), the write rejects with PipeClosed and the command
// stops at once and quietly, with the exit status of a tool killed by SIGPIPE (141).
import {ExitStatus} from '../common/errors.js'

export const PIPE_CLOSED_EXIT_CODE = 141

/** The reader of stdout has gone: stop, print nothing more. */
export class PipeClosed extends ExitStatus {
  constructor() {
    super(PIPE_CLOSED_EXIT_CODE)
    this.name = 'PipeClosed'
  }
}

let watching = false
let closed = false
/** Writes waiting for their callback: rejected at once when stdout fails (the callback may never come). */
const pending = new Set<(error: Error) => void>()

function isPipeClosed(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'ERR_STREAM_WRITE_AFTER_END'
}

/**
 * stdout's 'error' event would otherwise crash, or leave writes waiting for a callback that never
 * comes. Writes of ours that are waiting get PipeClosed; when none is (oclif printing --json), qjob
 * stops at once with 141, as a tool killed by SIGPIPE would.
 */
export function watchStdout(): void {
  if (watching) return
  watching = true
  process.stdout.on('error', (error: unknown) => {
    if (!isPipeClosed(error)) throw error
    closed = true
    if (pending.size === 0) process.exit(PIPE_CLOSED_EXIT_CODE)
    for (const reject of pending) reject(new PipeClosed())
    pending.clear()
  })
}

export function stdoutClosed(): boolean {
  return closed
}

/** Writes text to stdout; resolves when it has been written, rejects with PipeClosed on EPIPE. */
export function writeOut(text: string): Promise<void> {
  watchStdout()
  if (closed) return Promise.reject(new PipeClosed())
  return new Promise((resolve, reject) => {
    pending.add(reject)
    process.stdout.write(text, error => {
      pending.delete(reject)
      if (!error) resolve()
      else if (isPipeClosed(error)) {
        closed = true
        reject(new PipeClosed())
      } else reject(error)
    })
  })
}
