// How a dyno's process is run: the shell, the environment every dyno sees, signals to its
// process group, output split into log lines, and a free PORT.
import type {ChildProcess} from 'node:child_process'
import {existsSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {dirname} from 'node:path'
import type {Readable} from 'node:stream'

/** Dynos run their command with bash, as on the platform (a simple command is exec'd, so the
 * process gets SIGTERM itself and its own exit status counts); sh where there is no bash. */
export const SHELL = existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh'

export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    try {
      child.kill(signal)
    } catch {
      // Already gone.
    }
  }
}

/** What every dyno sees besides its config vars: a PATH that finds this Node, HOME, locale. */
export function baseEnvironment(): Record<string, string> {
  const env: Record<string, string> = {PATH: `${dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}`}
  for (const name of ['HOME', 'LANG', 'TMPDIR', 'TZ']) {
    const value = process.env[name]
    if (value !== undefined) env[name] = value
  }
  env.HOME ??= tmpdir()
  return env
}

export function forwardLines(stream: Readable | null, onLine: (line: string) => void): void {
  if (!stream) return
  let partial = ''
  stream.setEncoding('utf8')
  stream.on('data', (chunk: string) => {
    const parts = (partial + chunk).split(/\r?\n/)
    partial = parts.pop() ?? ''
    for (const part of parts) onLine(part)
  })
  stream.on('end', () => {
    if (partial !== '') onLine(partial)
  })
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address() as {port: number}
      server.close(() => resolve(port))
    })
  })
}

/**
 * The argv that runs a dyno's command under the parent-death guard: a watcher in the dyno's
 * process group waits on fd 3 (a pipe only the emulator writes to, and never does) and kills the
 * group when it reads EOF, i.e. when the emulator is gone, even after a kill -9. The command
 * itself is exec'd by a fresh shell, so it keeps its own pid, signals and exit status.
 */
export function guardedArgs(command: string): string[] {
  // Started twice removed (the inner subshell's parent exits at once), so the watcher is nobody's
  // child: a command such as `script` that waits for all its children is not confused by it.
  const guard = `( (trap '' TERM INT HUP; read -r _ <&3; kill -9 0) </dev/null >/dev/null 2>&1 & ); exec 3<&-; exec ${SHELL} -c "$1"`
  return ['-c', guard, 'qjob-dyno', command]
}

/** `script` (util-linux) gives a dyno a pseudo-terminal without native modules; undefined if absent. */
export const SCRIPT = ['/usr/bin/script', '/bin/script'].find(path => existsSync(path))

export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`
}

/**
 * The command run on a pseudo-terminal (as `heroku run` gets one): the window size from the
 * client's COLUMNS/LINES; the terminal turns Ctrl-C into SIGINT and Ctrl-D into end of input.
 */
export function onTerminal(command: string, env: Record<string, string | undefined>): string {
  const columns = Number(env.COLUMNS)
  const lines = Number(env.LINES)
  const size =
    Number.isInteger(columns) && Number.isInteger(lines) && columns > 0 && lines > 0
      ? `stty cols ${columns} rows ${lines} 2>/dev/null; `
      : ''
  return `exec ${SCRIPT} -q -e -c ${shellQuote(`${size}${command}`)} /dev/null`
}
