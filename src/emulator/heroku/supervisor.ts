// Runs the app's dynos as real processes: formation dynos (worker.1, worker.2, …) follow the
// formation; one-off dynos (run.NNNN) run a command, attached through the rendezvous endpoint or
// detached with output in the logs. Stopping is SIGTERM to the dyno's process group, then SIGKILL
// after the grace period. A formation process that exits on its own is shown as crashed and
// restarted: at once the first time, then after a cool-off that doubles (to 20 minutes), as the
// platform does; a new release or a manual restart resets it. Each dyno runs under the
// parent-death guard (dyno-process.ts) and its process group is recorded in the data dir.
import {spawn, type ChildProcess} from 'node:child_process'
import type {Socket} from 'node:net'
import {constants as osConstants} from 'node:os'
import type {TLSSocket} from 'node:tls'

import {ATTACH_TIMEOUT_MS, CRASH_COOL_OFF_MAX_MS, CRASH_COOL_OFF_MS, CRASH_RESET_AFTER_MS, MAX_CLOSE_GRACE_MS} from './constants.js'
import {baseEnvironment, forwardLines, freePort, guardedArgs, onTerminal, SCRIPT, SHELL, signalGroup} from './dyno-process.js'
import type {DynoPidRecords} from './dyno-pids.js'
import {newId} from './ids.js'
import type {LogHub} from './log-hub.js'
import {expandProcessType} from './procfile.js'
import type {RendezvousServer} from './rendezvous.js'
import type {AppStore, DynoRecord} from './store.js'

type AfterStop = 'remove' | 'restart'

interface Running {
  dyno: DynoRecord
  child?: ChildProcess
  afterStop?: AfterStop
  killTimer?: NodeJS.Timeout
  ttlTimer?: NodeJS.Timeout
  cancelAttach?: () => void
  done: Promise<void>
  markDone: () => void
  env: Record<string, string>
  tty: boolean
  startedAt?: number
}

export interface OneOffRequest {
  command: string
  env: Record<string, string>
  size: string
  attach: boolean
  timeToLiveS: number
  type: string
  /** Attached: run on a pseudo-terminal (unless the client sent force_no_tty). */
  tty?: boolean
}

export interface SupervisorOptions {
  store: AppStore
  logs: LogHub
  rendezvous: RendezvousServer
  gracePeriodMs: number
  pids?: DynoPidRecords
  /** The cool-off before the second restart of a crashing dyno (doubles each time). */
  crashCoolOffMs?: number
}

export class Supervisor {
  private readonly running = new Map<string, Running>()
  /** Crashes in a row per formation dyno name, and the pending cool-off restarts. */
  private readonly crashes = new Map<string, number>()
  private readonly pendingRestarts = new Map<string, NodeJS.Timeout>()
  private closing = false

  constructor(private readonly options: SupervisorOptions) {}

  /** Starts or stops formation dynos of a type until they match its quantity. */
  reconcile(type: string): void {
    const formation = this.options.store.findFormation(type)
    if (!formation || this.closing) return
    const current = this.options.store.dynoList(type).filter(dyno => !dyno.oneOff)
    for (const dyno of current) {
      const index = Number(dyno.name.slice(type.length + 1))
      if (index > formation.quantity) this.stop(dyno.name, 'remove')
      else if (dyno.size !== formation.size) dyno.size = formation.size
    }
    for (let index = 1; index <= formation.quantity; index++) {
      const name = `${type}.${index}`
      const existing = this.options.store.findDyno(name)
      if (existing && !this.isLeaving(existing)) continue
      this.clearPendingRestart(name)
      this.startFormationDyno(type, name, formation.command, formation.size)
    }
  }

  /** Stops a dyno: formation dynos are started again (like the platform), one-off dynos end. */
  stop(name: string, afterStop?: AfterStop): void {
    const entry = this.entryFor(name)
    if (!entry) {
      // Nothing runs (a crashed dyno): remove it, or start it afresh.
      const crashed = this.options.store.findDyno(name)
      if (!crashed) return
      this.clearPendingRestart(name)
      this.options.store.removeDyno(name)
      const next = afterStop ?? (crashed.oneOff ? 'remove' : 'restart')
      if (next === 'restart' && !crashed.oneOff && !this.closing)
        this.startFormationDyno(crashed.type, crashed.name, crashed.command, crashed.size)
      return
    }
    const dyno = entry.dyno
    entry.afterStop = afterStop ?? (dyno.oneOff ? 'remove' : 'restart')
    entry.cancelAttach?.()
    if (!entry.child || entry.child.exitCode !== null || entry.child.signalCode !== null) {
      if (!entry.child) this.finish(entry, undefined)
      return
    }
    if (entry.killTimer) return
    this.options.logs.append('heroku', dyno.name, 'Stopping all processes with SIGTERM')
    signalGroup(entry.child, 'SIGTERM')
    entry.killTimer = setTimeout(() => {
      const seconds = Math.round(this.options.gracePeriodMs / 100) / 10
      this.options.logs.append(
        'heroku',
        dyno.name,
        `Error R12 (Exit timeout) -> At least one process failed to exit within ${seconds} seconds of SIGTERM`,
      )
      this.options.logs.append('heroku', dyno.name, 'Stopping remaining processes with SIGKILL')
      if (entry.child) signalGroup(entry.child, 'SIGKILL')
    }, this.options.gracePeriodMs)
  }

  /** The dynos whose process runs now, with its pid (for the memory check). */
  runningProcesses(): Array<{dyno: DynoRecord; pid: number}> {
    const found: Array<{dyno: DynoRecord; pid: number}> = []
    for (const entry of this.running.values()) {
      const pid = entry.child?.pid
      if (pid !== undefined && entry.child?.exitCode === null) found.push({dyno: entry.dyno, pid})
    }
    return found
  }

  restart(name: string): void {
    this.crashes.delete(name)
    this.stop(name, 'restart')
  }

  /** A new release: every formation dyno restarts (one-off dynos keep running), cool-offs reset. */
  restartFormation(reason: string): void {
    this.crashes.clear()
    for (const dyno of this.options.store.dynoList()) {
      if (dyno.oneOff) continue
      this.options.logs.append('heroku', dyno.name, reason)
      this.stop(dyno.name, 'restart')
    }
  }

  async runOneOff(request: OneOffRequest): Promise<DynoRecord> {
    const store = this.options.store
    const now = new Date()
    const dyno: DynoRecord = {
      id: newId(),
      name: store.oneOffName(),
      type: request.type,
      command: request.command,
      size: request.size,
      state: 'starting',
      attachUrl: null,
      oneOff: true,
      createdAt: now,
      updatedAt: now,
    }
    store.addDyno(dyno)
    const entry = this.track(dyno, request.env, request.attach && request.tty === true && SCRIPT !== undefined)
    entry.ttlTimer = setTimeout(() => {
      this.options.logs.append('heroku', dyno.name, `Time to live of ${request.timeToLiveS} s reached: stopping the dyno`)
      this.stop(dyno.name, 'remove')
    }, request.timeToLiveS * 1000)
    entry.ttlTimer.unref()
    if (request.attach) {
      const {url, cancel} = this.options.rendezvous.register(
        socket => void this.spawnDyno(entry, socket),
        ATTACH_TIMEOUT_MS,
        () => {
          this.options.logs.append('heroku', dyno.name, 'Error R13 (Attach error) -> Failed to attach to process')
          this.finish(entry, undefined)
        },
      )
      dyno.attachUrl = url
      entry.cancelAttach = cancel
    } else {
      await this.spawnDyno(entry)
    }
    return dyno
  }

  /** Stops every process (SIGTERM, SIGKILL after the grace period, at most MAX_CLOSE_GRACE_MS). */
  async close(): Promise<void> {
    this.closing = true
    for (const timer of this.pendingRestarts.values()) clearTimeout(timer)
    this.pendingRestarts.clear()
    const entries = [...this.running.values()]
    for (const entry of entries) {
      entry.cancelAttach?.()
      if (!entry.child) this.finish(entry, undefined)
      else if (entry.child.exitCode === null && entry.child.signalCode === null) signalGroup(entry.child, 'SIGTERM')
    }
    const grace = Math.min(this.options.gracePeriodMs, MAX_CLOSE_GRACE_MS)
    const kill = setTimeout(() => {
      for (const entry of entries) if (entry.child) signalGroup(entry.child, 'SIGKILL')
    }, grace)
    await Promise.all(entries.map(entry => entry.done))
    clearTimeout(kill)
    for (const entry of entries) {
      clearTimeout(entry.killTimer)
      clearTimeout(entry.ttlTimer)
    }
  }

  /**
   * Last resort when the emulator's process exits without close(): SIGKILL every dyno's process
   * group at once (synchronous, so it can run in an 'exit' handler), leaving no orphans behind.
   */
  killAllNow(): void {
    for (const entry of this.running.values()) if (entry.child) signalGroup(entry.child, 'SIGKILL')
  }

  private isLeaving(dyno: DynoRecord): boolean {
    const entry = this.running.get(dyno.id)
    return entry?.afterStop === 'remove'
  }

  private entryFor(name: string): Running | undefined {
    const dyno = this.options.store.findDyno(name)
    return dyno ? this.running.get(dyno.id) : undefined
  }

  private track(dyno: DynoRecord, env: Record<string, string>, tty = false): Running {
    let markDone: () => void = () => undefined
    const done = new Promise<void>(resolve => (markDone = resolve))
    const entry: Running = {dyno, done, markDone, env, tty}
    this.running.set(dyno.id, entry)
    return entry
  }

  private startFormationDyno(type: string, name: string, command: string, size: string): void {
    const now = new Date()
    const dyno: DynoRecord = {
      id: newId(),
      name,
      type,
      command,
      size,
      state: 'starting',
      attachUrl: null,
      oneOff: false,
      createdAt: now,
      updatedAt: now,
    }
    this.options.store.addDyno(dyno)
    void this.spawnDyno(this.track(dyno, {}))
  }

  private async spawnDyno(entry: Running, socket?: TLSSocket): Promise<void> {
    const {store, logs} = this.options
    const dyno = entry.dyno
    let command = dyno.command
    let env: NodeJS.ProcessEnv
    try {
      command = dyno.oneOff ? expandProcessType(dyno.command, store.refreshProcfile()) : dyno.command
      env = {...baseEnvironment(), ...store.config.current(), ...entry.env, PORT: String(await freePort()), DYNO: dyno.name}
    } catch (error) {
      logs.append('heroku', dyno.name, `Error R10 (Boot error) -> ${(error as Error).message}`)
      socket?.end(`${(error as Error).message}\r\n`)
      this.finish(entry, 1)
      return
    }
    // Stopped or closed while the port was being found: never start an orphan.
    if (this.closing || !this.running.has(dyno.id) || entry.afterStop) {
      socket?.end()
      this.finish(entry, undefined)
      return
    }
    logs.append('heroku', dyno.name, `Starting process with command \`${dyno.command}\``)
    if (entry.tty) {
      command = onTerminal(command, env)
      env.SHELL = SHELL
      env.TERM ??= 'xterm-256color'
    }
    const child = spawn(SHELL, guardedArgs(command), {
      cwd: store.app.dir,
      env,
      detached: true,
      stdio: [socket ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'],
    })
    entry.child = child
    entry.startedAt = Date.now()
    this.options.pids?.add(child.pid)
    // The emulator's end of the parent-death pipe: kept open (never written), not keeping Node up.
    ;(child.stdio[3] as Socket | null)?.unref()
    // The command is done: end the dyno's whole process group (its watcher, stray children).
    child.on('exit', () => signalGroup(child, 'SIGKILL'))
    child.on('spawn', () => {
      if (dyno.state === 'starting') {
        store.setState(dyno, 'up')
        logs.append('heroku', dyno.name, 'State changed from starting to up')
      }
    })
    child.on('error', error => logs.append('heroku', dyno.name, `Error R10 (Boot error) -> ${error.message}`))
    if (socket) this.pipeToSocket(entry, child, socket)
    else {
      forwardLines(child.stdout, line => logs.append('app', dyno.name, line))
      forwardLines(child.stderr, line => logs.append('app', dyno.name, line))
    }
    child.on('close', (code, signal) => this.finish(entry, code ?? 128 + (signal ? osConstants.signals[signal] : 0)))
  }

  private pipeToSocket(entry: Running, child: ChildProcess, socket: TLSSocket): void {
    child.stdout?.pipe(socket, {end: false})
    child.stderr?.pipe(socket, {end: false})
    if (child.stdin) {
      const stdin = child.stdin
      stdin.on('error', () => undefined)
      socket.on('data', (chunk: Buffer) => {
        if (stdin.writableEnded) return
        // Without a terminal, a Ctrl-D that ends what arrived is end of input (the Heroku CLI
        // sends one when its piped stdin ends); on a terminal, the line discipline does that.
        if (!entry.tty && chunk.at(-1) === 4) {
          if (chunk.length > 1) stdin.write(chunk.subarray(0, -1))
          stdin.end()
        } else stdin.write(chunk)
      })
      socket.on('end', () => stdin.end())
    }
    socket.resume()
    child.on('close', () => socket.end())
    // The client hung up (Ctrl-C, lost connection): the dyno goes with it, as on the platform.
    socket.on('close', () => {
      if (child.exitCode === null && child.signalCode === null) this.stop(entry.dyno.name, 'remove')
    })
  }

  private finish(entry: Running, status: number | undefined): void {
    if (!this.running.has(entry.dyno.id)) return
    const {store, logs} = this.options
    const dyno = entry.dyno
    clearTimeout(entry.killTimer)
    clearTimeout(entry.ttlTimer)
    entry.cancelAttach?.()
    this.running.delete(dyno.id)
    this.options.pids?.remove(entry.child?.pid)
    if (status !== undefined) logs.append('heroku', dyno.name, `Process exited with status ${status}`)
    const current = store.findDyno(dyno.name) === dyno
    const previous = dyno.state
    if (entry.afterStop || dyno.oneOff) {
      const next = dyno.oneOff && !entry.afterStop ? 'complete' : 'down'
      logs.append('heroku', dyno.name, `State changed from ${previous} to ${next}`)
      if (current) store.removeDyno(dyno.name)
    } else {
      store.setState(dyno, 'crashed')
      logs.append('heroku', dyno.name, `State changed from ${previous} to crashed`)
    }
    entry.markDone()
    if (entry.afterStop === 'restart' && current && !this.closing) {
      if (dyno.oneOff) return
      this.startFormationDyno(dyno.type, dyno.name, dyno.command, dyno.size)
    } else if (!dyno.oneOff && current) {
      this.scheduleCrashRestart(dyno, entry)
      this.reconcile(dyno.type)
    }
  }

  /** At once after the first crash, then after a cool-off that doubles up to its cap. */
  private scheduleCrashRestart(dyno: DynoRecord, entry: Running): void {
    if (this.closing) return
    const ranFor = entry.startedAt === undefined ? 0 : Date.now() - entry.startedAt
    if (ranFor >= CRASH_RESET_AFTER_MS) this.crashes.delete(dyno.name)
    const crashes = (this.crashes.get(dyno.name) ?? 0) + 1
    this.crashes.set(dyno.name, crashes)
    const base = this.options.crashCoolOffMs ?? CRASH_COOL_OFF_MS
    const delay = crashes === 1 ? 0 : Math.min(base * 2 ** (crashes - 2), CRASH_COOL_OFF_MAX_MS)
    if (delay > 0)
      this.options.logs.append('heroku', dyno.name, `Crashed ${crashes} times in a row: restarting in ${Math.round(delay / 1000)} s`)
    this.clearPendingRestart(dyno.name)
    const timer = setTimeout(() => {
      this.pendingRestarts.delete(dyno.name)
      const formation = this.options.store.findFormation(dyno.type)
      if (this.closing || this.options.store.findDyno(dyno.name) !== dyno || dyno.state !== 'crashed' || !formation) return
      this.options.store.removeDyno(dyno.name)
      this.options.logs.append('heroku', dyno.name, 'State changed from crashed to starting')
      this.startFormationDyno(dyno.type, dyno.name, formation.command, formation.size)
    }, delay)
    timer.unref()
    this.pendingRestarts.set(dyno.name, timer)
  }

  private clearPendingRestart(name: string): void {
    clearTimeout(this.pendingRestarts.get(name))
    this.pendingRestarts.delete(name)
  }
}
