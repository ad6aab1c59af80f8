// Fault-injection helpers: run qjob as a child we can signal, whose stdout we can close early.
import {type ChildProcessWithoutNullStreams, spawn} from 'node:child_process'
import {existsSync, readdirSync, readFileSync} from 'node:fs'

import {binPath} from '../helpers/cli.js'

export interface Running {
  child: ChildProcessWithoutNullStreams
  stdout: () => string
  stderr: () => string
  /** Resolves with the exit; kills it (SIGKILL) and reports `hung` if it outlives `limitMs`. */
  exit: (limitMs?: number) => Promise<{code: number | null; signal: NodeJS.Signals | null; hung: boolean}>
}

export function start(args: string[], options: {cwd: string; env: NodeJS.ProcessEnv; input?: string}): Running {
  const child = spawn(process.execPath, [binPath, ...args], {cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe']})
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', chunk => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', chunk => (stderr += chunk))
  child.stdout.on('error', () => undefined)
  child.stdin.on('error', () => undefined)
  if (options.input !== undefined) child.stdin.end(options.input)
  const closed = new Promise<{code: number | null; signal: NodeJS.Signals | null}>(resolve =>
    child.on('close', (code, signal) => resolve({code, signal})),
  )
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    async exit(limitMs = 30_000) {
      let hung = false
      const timer = setTimeout(() => {
        hung = true
        child.kill('SIGKILL')
      }, limitMs)
      const result = await closed
      clearTimeout(timer)
      return {...result, hung}
    },
  }
}

/** Reads the child's stdout until its first line, then closes the read end (like `| head -1`). */
export function closeAfterFirstLine(running: Running): Promise<string> {
  return new Promise(resolve => {
    let seen = ''
    const onData = (chunk: string) => {
      seen += chunk
      const end = seen.indexOf('\n')
      if (end === -1) return
      running.child.stdout.off('data', onData)
      running.child.stdout.destroy()
      resolve(seen.slice(0, end))
    }
    running.child.stdout.on('data', onData)
  })
}

/** Polls for something only the OS can tell (a file appearing, a process gone). */
export async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 25))
  }
}

export function fileText(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : ''
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Every process now: pid, state, parent and process group (from /proc/PID/stat). */
export function processes(): Array<{pid: number; state: string; ppid: number; pgrp: number}> {
  const found = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const [state, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      found.push({pid: Number(entry), state, ppid: Number(ppid), pgrp: Number(pgrp)})
    } catch {
      // gone meanwhile
    }
  }
  return found
}

/**
 * No process of the group runs. A zombie waiting for its new parent to reap it does not count: a
 * signal 0 to -pgrp would still find it, however dead it is.
 */
export const groupGone = (pgrp: number) => !processes().some(process => process.pgrp === pgrp && process.state !== 'Z')

/** A TCP proxy in front of the emulator that can drop every connection and refuse new ones. */
export async function startCuttableProxy(
  targetPort: number,
): Promise<{port: number; cut(): void; restore(): void; close(): void; quiet(ms: number): Promise<void>}> {
  const {createServer, connect} = await import('node:net')
  const sockets = new Set<import('node:net').Socket>()
  let cut = false
  let lastServerBytesAt = Date.now()
  const server = createServer(client => {
    if (cut) {
      client.destroy()
      return
    }
    const upstream = connect(targetPort, '127.0.0.1')
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('error', () => undefined)
      socket.on('close', () => sockets.delete(socket))
    }
    client.pipe(upstream)
    upstream.pipe(client)
    upstream.on('data', () => (lastServerBytesAt = Date.now()))
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as {port: number}).port,
    cut() {
      cut = true
      for (const socket of sockets) socket.destroy()
    },
    restore() {
      cut = false
    },
    /**
     * Resolves once the server has sent nothing for `ms`: what it had to say (e.g. the accept of a
     * send the broker already counts) has reached the client. The client's side is not observable
     * from the test, so quiet on the wire is the event waited for.
     */
    async quiet(ms: number) {
      while (Date.now() - lastServerBytesAt < ms) await new Promise(resolve => setTimeout(resolve, ms / 4))
    },
    close() {
      for (const socket of sockets) socket.destroy()
      server.close()
    },
  }
}
