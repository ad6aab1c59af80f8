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

function isPipeClosed(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'ERR_STREAM_WRITE_AFTER_END'
}

/** stdout's 'error' event would otherwise crash (or, in some set-ups, leave writes waiting forever). */
function watchStdout(): void {
  if (watching) return
  watching = true
  process.stdout.on('error', (error: unknown) => {
    if (isPipeClosed(error)) closed = true
    else throw error
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
    process.stdout.write(text, error => {
      if (!error) resolve()
      else if (isPipeClosed(error)) {
        closed = true
        reject(new PipeClosed())
      } else reject(error)
    })
  })
}
