// One line per job on stderr: logfmt for people and log drains, or JSON lines with --json.
import {logfmt} from '../../common/logfmt.js'

export interface JobLog {
  at: 'job' | 'summary' | 'worker'
  [field: string]: string | number | boolean | undefined
}

export function jobLogger(json: boolean, stream: NodeJS.WritableStream = process.stderr): (entry: JobLog) => void {
  return entry => {
    const clean = Object.fromEntries(Object.entries(entry).filter(([, value]) => value !== undefined))
    stream.write(`${json ? JSON.stringify(clean) : logfmt(entry)}\n`)
  }
}
