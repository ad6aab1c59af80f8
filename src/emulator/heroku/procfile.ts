// The Procfile grammar: `type: command` a line, `#` comments and blank lines ignored. Strict: a line
// that does not parse is an error naming the line, not a silently missing process type.
export type Procfile = ReadonlyMap<string, string>

const LINE = /^([A-Za-z0-9_-]{1,128})[ \t]*:[ \t]*(.+)$/

export class ProcfileError extends Error {}

export function parseProcfile(text: string, file = 'Procfile'): Procfile {
  const types = new Map<string, string>()
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const match = LINE.exec(line)
    if (!match) throw new ProcfileError(`${file}:${index + 1}: expected "type: command"`)
    if (types.has(match[1])) throw new ProcfileError(`${file}:${index + 1}: process type "${match[1]}" is defined twice`)
    types.set(match[1], match[2].trim())
  }
  return types
}

/**
 * The command a one-off dyno runs: a leading word naming a Procfile type is replaced by that type's
 * command (`worker --once; echo …` runs the worker command with `--once`), as the platform does.
 */
export function expandProcessType(command: string, procfile: Procfile): string {
  const match = /^([A-Za-z0-9_-]+)(?=$|[\s;&|])/.exec(command)
  if (!match) return command
  const expanded = procfile.get(match[1])
  return expanded === undefined ? command : `${expanded}${command.slice(match[1].length)}`
}
