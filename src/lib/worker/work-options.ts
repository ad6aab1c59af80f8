// `qjob work` flags -> validated worker settings (exit 2 on anything malformed).
import {UsageError} from '../../common/errors.js'

/** `resize=node resize.js` -> ['resize', 'node resize.js']. */
export function parseRoutes(inputs: readonly string[] = []): Map<string, string> {
  const routes = new Map<string, string>()
  for (const input of inputs) {
    const index = input.indexOf('=')
    const subject = input.slice(0, index).trim()
    const command = input.slice(index + 1).trim()
    if (index <= 0 || subject === '' || command === '') {
      throw new UsageError(`invalid --route "${input}"`, {hint: 'Use --route SUBJECT=COMMAND, e.g. --route resize="node resize.js".'})
    }
    if (routes.has(subject)) throw new UsageError(`--route for subject "${subject}" is given twice`)
    routes.set(subject, command)
  }
  return routes
}

/** "1,3,64" -> {1, 3, 64}. */
export function parseExitCodes(input: string | undefined): Set<number> {
  const codes = new Set<number>()
  if (input === undefined) return codes
  for (const part of input.split(',')) {
    const code = Number(part.trim())
    if (part.trim() === '' || !Number.isInteger(code) || code < 1 || code > 255) {
      throw new UsageError(`invalid exit code "${part}" in --dead-letter-on`, {
        hint: 'Give exit codes 1 to 255, comma-separated, e.g. --dead-letter-on 2,65.',
      })
    }
    codes.add(code)
  }
  return codes
}
