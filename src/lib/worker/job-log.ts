// One line per job on stderr: logfmt for people and log drains, or JSON lines with --json.
export interface JobLog {
  at: 'job' | 'summary' | 'worker'
  [field: string]: string | number | boolean | undefined
}

function logfmtValue(value: string | number | boolean): string {
  const text = String(value)
  return /^[\w.:/@+-]+$/.test(text) ? text : JSON.stringify(text)
}

export function formatLogfmt(entry: JobLog): string {
  return Object.entries(entry)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([key, value]) => `${key}=${logfmtValue(value as string | number | boolean)}`)
    .join(' ')
}

export function jobLogger(json: boolean, stream: NodeJS.WritableStream = process.stderr): (entry: JobLog) => void {
  return entry => {
    const clean = Object.fromEntries(Object.entries(entry).filter(([, value]) => value !== undefined))
    stream.write(`${json ? JSON.stringify(clean) : formatLogfmt(entry)}\n`)
  }
}
