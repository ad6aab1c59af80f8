// Runs one job: the command through the shell, the body on stdin, output passed through, the last
// lines of stderr kept for a dead-letter description. A timeout or a stop kills the whole process
// group (TERM, then KILL after a grace period).
//
// The job leads its own process group, so a kill reaches everything it started, and a job that
// ends normally has its group killed too: nothing it left behind runs on. Jobs die with the process
// that started them (the job host, which exits with the worker), however it dies: see
// job-lifeline.ts. Otherwise a job would outlive a killed worker and run twice at once when its
// message comes back.
import {type ChildProcessWithoutNullStreams, spawn} from 'node:child_process'

import {JobLifeline, killGroup} from './job-lifeline.js'

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

/**
 * The job's shell script: the command on the same line, in the same shell, after the job registers
 * with the lifeline and closes it. The command sees what it would under `sh -c COMMAND` (no
 * arguments, $0, line numbers, the shell's messages) without a second shell. A syntax error in that
 * line stops the whole line before anything runs, as `sh -c` would.
 */
function shellLine(command: string, graceSeconds: number): string {
  return `${JobLifeline.register(graceSeconds)} ${command}`
}

const lifeline = new JobLifeline()

export function runJob(options: RunJobOptions): Promise<JobOutcome> {
  const started = Date.now()
  const graceMs = options.killGraceMs ?? 5000
  const graceSeconds = Math.ceil(graceMs / 1000)
  const child = spawn('/bin/sh', ['-c', shellLine(options.command, graceSeconds)], {
    detached: true, // its own process group, so a kill reaches the whole job
    env: {...process.env, ...options.env},
    stdio: ['pipe', 'pipe', 'pipe', lifeline.pipe()],
  }) as ChildProcessWithoutNullStreams
  if (child.pid !== undefined) lifeline.started(child.pid, graceSeconds)
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
    }, graceMs).unref()
  }
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true
          kill()
        }, options.timeoutMs)
  options.signal?.addEventListener('abort', kill, {once: true})

  const outputClosed = Promise.all([child.stdout, child.stderr].map(stream => new Promise(resolve => stream.once('close', resolve))))
  return new Promise(resolve => {
    let finished = false
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null) => {
      if (finished) return
      finished = true
      if (timer) clearTimeout(timer)
      options.signal?.removeEventListener('abort', kill)
      // The job is over: end its group (anything it left behind), then take it off the lifeline.
      if (child.pid !== undefined) {
        killGroup(child.pid, 'SIGKILL')
        lifeline.ended(child.pid)
      }
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
    // Wait for the output pipes too: the job's output is written before it is settled.
    child.once('exit', (exitCode, signal) => {
      void outputClosed.then(() => finish(exitCode, signal))
    })
  })
}
