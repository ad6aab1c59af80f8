// Runs one job: the command through the shell, the body on stdin, output passed through, the last
// lines of stderr kept for a dead-letter description. A timeout or a stop kills the whole process
// group (TERM, then KILL after a grace period).
import {spawn} from 'node:child_process'

export interface JobOutcome {
  /** The command's exit code; undefined when it was killed by a signal. */
  exitCode?: number
  signal?: NodeJS.Signals
  timedOut: boolean
  /** The last lines the command wrote to stderr. */
  stderrTail: string
  durationMs: number
}

export interface RunJobOptions {
  command: string
  input: Buffer
  env: Record<string, string>
  timeoutMs?: number
  /** Aborting stops the job (TERM, then KILL). */
  signal?: AbortSignal
  killGraceMs?: number
  stdout?: NodeJS.WritableStream
  stderr?: NodeJS.WritableStream
}

const TAIL_LINES = 10
const TAIL_BYTES = 2048

function tailOf(text: string): string {
  return text.trimEnd().split('\n').slice(-TAIL_LINES).join('\n').slice(-TAIL_BYTES)
}

export function runJob(options: RunJobOptions): Promise<JobOutcome> {
  const started = Date.now()
  const child = spawn(options.command, {
    shell: true,
    detached: true, // its own process group, so a kill reaches the whole job
    env: {...process.env, ...options.env},
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stderrKept = ''
  let timedOut = false
  child.stdout.pipe(options.stdout ?? process.stdout, {end: false})
  child.stderr.on('data', (chunk: Buffer) => {
    ;(options.stderr ?? process.stderr).write(chunk)
    stderrKept = (stderrKept + chunk.toString('utf8')).slice(-TAIL_BYTES * 4)
  })
  // A command that does not read its stdin must not fail the job with EPIPE.
  child.stdin.on('error', () => undefined)
  child.stdin.end(options.input)

  const kill = () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
    try {
      process.kill(-child.pid, 'SIGTERM')
    } catch {
      return
    }
    setTimeout(() => {
      try {
        if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL')
      } catch {
        // already gone
      }
    }, options.killGraceMs ?? 5000).unref()
  }
  const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
    timedOut = true
    kill()
  }, options.timeoutMs)
  options.signal?.addEventListener('abort', kill, {once: true})

  return new Promise(resolve => {
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null) => {
      if (timer) clearTimeout(timer)
      options.signal?.removeEventListener('abort', kill)
      resolve({
        exitCode: exitCode ?? undefined,
        signal: signal ?? undefined,
        timedOut,
        stderrTail: tailOf(stderrKept),
        durationMs: Date.now() - started,
      })
    }
    child.on('error', error => {
      stderrKept += `\n${error.message}`
      finish(127, null)
    })
    // 'close' waits for the output pipes: the job's output is written before it is settled.
    child.on('close', finish)
  })
}
