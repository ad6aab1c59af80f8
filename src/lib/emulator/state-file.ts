// The running emulator's state file, `<data dir>/emulator.json` (mode 0600: it holds the settings
// `qjob emulator env` prints, keys included): pid, ports, the control endpoint and the environment
// each service contributes.
import {chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

export const STATE_FILE = 'emulator.json'
export const LOG_FILE = 'emulator.log'

export interface ServiceState {
  /** What `status` shows about the service (endpoint, port, ...). */
  endpoint: string
  port: number
}

export interface EmulatorState {
  pid: number
  startedAt: string
  dataDir: string
  inMemory: boolean
  logFile?: string
  control: {port: number; token: string}
  services: Record<string, ServiceState>
  /** Environment variables a shell or program needs to use the emulator (`qjob emulator env`). */
  env: Record<string, string>
  /** Settings for the ARM backend of the queue commands (`qjob emulator env --arm`). */
  armEnv?: Record<string, string>
}

export function statePath(dataDir: string): string {
  return join(dataDir, STATE_FILE)
}

export function writeState(state: EmulatorState): void {
  mkdirSync(state.dataDir, {recursive: true, mode: 0o700})
  const path = statePath(state.dataDir)
  const temporary = `${path}.${process.pid}.tmp`
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`, {mode: 0o600})
  chmodSync(temporary, 0o600)
  renameSync(temporary, path)
}

export function readState(dataDir: string): EmulatorState | undefined {
  try {
    return JSON.parse(readFileSync(statePath(dataDir), 'utf8')) as EmulatorState
  } catch {
    return undefined
  }
}

/** Removes the state file if it still describes `pid`. */
export function removeState(dataDir: string, pid: number): void {
  if (readState(dataDir)?.pid === pid) rmSync(statePath(dataDir), {force: true})
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The state of an emulator that is running now; a stale file (dead pid) is removed. */
export function runningState(dataDir: string): EmulatorState | undefined {
  const state = readState(dataDir)
  if (!state) return undefined
  if (processAlive(state.pid)) return state
  rmSync(statePath(dataDir), {force: true})
  return undefined
}
