// The emulator's log: where protocol errors, refused requests and store events go. Every line is
// passed through redact() so keys and SAS tokens never reach it.
import {redact} from '../../common/redact.js'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

export interface EmulatorLogger {
  debug(message: string): void
  info(message: string): void
  warn(message: string): void
  error(message: string): void
}

const ORDER: Record<LogLevel, number> = {debug: 0, info: 1, warn: 2, error: 3}

/** A logger writing timestamped, redacted lines to a stream (the emulator's log file or stderr). */
export function streamLogger(stream: NodeJS.WritableStream, minimum: LogLevel = 'info'): EmulatorLogger {
  const write = (level: LogLevel, message: string) => {
    if (ORDER[level] < ORDER[minimum]) return
    stream.write(`${new Date().toISOString()} ${level.padEnd(5)} ${redact(message)}\n`)
  }
  return {
    debug: message => write('debug', message),
    info: message => write('info', message),
    warn: message => write('warn', message),
    error: message => write('error', message),
  }
}

export const silentLogger: EmulatorLogger = {debug() {}, info() {}, warn() {}, error() {}}
