// The app's log stream, as logplex keeps it: a ring buffer of the latest lines plus live
// subscribers. Lines read `TIMESTAMP SOURCE[DYNO]: MESSAGE` (source `app` or `heroku`).
import {LOG_BUFFER_LINES} from './constants.js'
import {logTime} from './ids.js'

export interface LogLine {
  time: Date
  source: 'app' | 'heroku'
  dyno: string
  message: string
}

export interface LogFilter {
  /** A dyno name (worker.1) or a process type (worker): the older `dyno` parameter. */
  dyno?: string
  dynoName?: string
  type?: string
  source?: string
}

export function formatLogLine(line: LogLine): string {
  return `${logTime(line.time)} ${line.source}[${line.dyno}]: ${line.message}`
}

export function matchesFilter(line: LogLine, filter: LogFilter): boolean {
  if (filter.source && line.source !== filter.source) return false
  const type = line.dyno.split('.')[0]
  if (filter.dyno && line.dyno !== filter.dyno && type !== filter.dyno) return false
  if (filter.dynoName && line.dyno !== filter.dynoName) return false
  if (filter.type && type !== filter.type) return false
  return true
}

export class LogHub {
  private readonly lines: LogLine[] = []
  private readonly subscribers = new Set<(line: LogLine) => void>()

  append(source: LogLine['source'], dyno: string, message: string): void {
    const line: LogLine = {time: new Date(), source, dyno, message}
    this.lines.push(line)
    if (this.lines.length > LOG_BUFFER_LINES) this.lines.shift()
    for (const subscriber of this.subscribers) subscriber(line)
  }

  recent(filter: LogFilter, count: number): LogLine[] {
    const matching = this.lines.filter(line => matchesFilter(line, filter))
    return count <= 0 ? [] : matching.slice(-count)
  }

  subscribe(listener: (line: LogLine) => void): () => void {
    this.subscribers.add(listener)
    return () => this.subscribers.delete(listener)
  }
}
