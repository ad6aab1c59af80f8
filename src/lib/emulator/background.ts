// `qjob emulator start` without --foreground: a detached child runs `emulator start --foreground`
// with its output in the data dir's log, and tells this process over IPC once it accepts
// connections (or why it could not start). `stop` signals it and waits for it to go.
import {spawn} from 'node:child_process'
import {closeSync, mkdirSync, openSync} from 'node:fs'
import {join, resolve} from 'node:path'

import {OperationError} from '../../common/errors.js'
import {emulatorLaunch} from './process-tuning.js'
import {LOG_FILE, processAlive, removeState, runningState, type EmulatorState} from './state-file.js'

export interface BackgroundOptions {
  dataDir: string
  inMemory: boolean
  port: number
  configFile?: string
  appDir: string
  appDirExplicit?: boolean
  herokuPort?: number
  resetKeys?: boolean
  /** The CLI entry script to run again (process.argv[1]). */
  entryScript: string
}

/** What the foreground child sends its parent over IPC. */
export type ReadyMessage = {type: 'ready'; state: EmulatorState} | {type: 'error'; message: string; hint?: string; exitCode?: number}

const STOP_TIMEOUT_MS = 10_000
const STOP_POLL_MS = 25

export async function startInBackground(options: BackgroundOptions): Promise<EmulatorState> {
  mkdirSync(options.dataDir, {recursive: true, mode: 0o700})
  const logFile = join(options.dataDir, LOG_FILE)
  const log = openSync(logFile, 'a', 0o600)
  const args = [options.entryScript, 'emulator', 'start', '--foreground', '--data-dir', options.dataDir, '--port', String(options.port)]
  if (options.inMemory) args.push('--in-memory')
  if (options.configFile) args.push('--config', resolve(options.configFile))
  if (options.appDirExplicit) args.push('--app-dir', resolve(options.appDir))
  if (options.herokuPort !== undefined) args.push('--heroku-port', String(options.herokuPort))
  if (options.resetKeys) args.push('--reset-keys')
  const launch = emulatorLaunch({...process.env, QJOB_EMULATOR_LOG: logFile})
  const child = spawn(process.execPath, [...launch.execArgv, ...args], {
    detached: true,
    stdio: ['ignore', log, log, 'ipc'],
    env: launch.env,
  })
  closeSync(log)
  try {
    return await new Promise<EmulatorState>((resolvePromise, reject) => {
      child.once('message', (message: ReadyMessage) => {
        if (message.type === 'ready') resolvePromise(message.state)
        else
          reject(
            Object.assign(new OperationError(message.message, {hint: message.hint}), message.exitCode ? {exitCode: message.exitCode} : {}),
          )
      })
      child.once('exit', code => reject(new OperationError(`the emulator exited during start (code ${code})`, {hint: `See ${logFile}.`})))
      child.once('error', error => reject(new OperationError(`cannot start the emulator: ${error.message}`)))
    })
  } finally {
    if (child.connected) child.disconnect()
    child.unref()
  }
}

/** Stops the emulator of a data dir; undefined when none was running. `forced`: it took SIGKILL. */
export async function stopEmulator(dataDir: string, onForced?: (state: EmulatorState) => void): Promise<EmulatorState | undefined> {
  const state = runningState(dataDir)
  if (!state) return undefined
  const gone = async (timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs
    while (processAlive(state.pid)) {
      if (Date.now() > deadline) return false
      await new Promise(resolvePromise => setTimeout(resolvePromise, STOP_POLL_MS))
    }
    return true
  }
  try {
    process.kill(state.pid, 'SIGTERM')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH')
      throw new OperationError(`cannot stop pid ${state.pid}: ${(error as Error).message}`)
  }
  if (!(await gone(STOP_TIMEOUT_MS))) {
    onForced?.(state)
    process.kill(state.pid, 'SIGKILL')
    await gone(STOP_TIMEOUT_MS)
  }
  removeState(dataDir, state.pid)
  return state
}
