// A small ~/.netrc reader: just enough of the format (machine/default blocks with login, password
// and account; macdef bodies skipped; # comments) to find the Heroku token. Read-only: qjob never
// writes the file.
import {readFile} from 'node:fs/promises'
import {homedir} from 'node:os'
import {join} from 'node:path'

export interface NetrcMachine {
  login?: string
  password?: string
  account?: string
}

/** $NETRC, else ~/.netrc (~/_netrc on Windows, as curl and the Heroku CLI look). */
export function netrcPath(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.NETRC) return env.NETRC
  return join(env.HOME || homedir(), platform === 'win32' ? '_netrc' : '.netrc')
}

/** Machines by host name; the `default` block, if any, under the key "default". */
export function parseNetrc(text: string): Map<string, NetrcMachine> {
  const machines = new Map<string, NetrcMachine>()
  const lines = text.split(/\r?\n/)
  const tokens: string[] = []
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    const words: string[] = line.replace(/(^|\s)#.*$/, '').match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? []
    for (const word of words) tokens.push(word.startsWith('"') ? word.slice(1, -1).replaceAll(/\\(.)/g, '$1') : word)
    // A macro definition runs to the next empty line and holds no credentials.
    const macdef = words.indexOf('macdef')
    if (macdef !== -1) {
      tokens.splice(tokens.length - (words.length - macdef))
      while (i + 1 < lines.length && lines[i + 1].trim() !== '') i++
    }
  }
  let current: NetrcMachine | undefined
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]
    if (token === 'machine' && i + 1 < tokens.length) {
      const name = tokens[++i]
      current = machines.get(name) ?? {}
      machines.set(name, current)
    } else if (token === 'default') {
      current = machines.get('default') ?? {}
      machines.set('default', current)
    } else if ((token === 'login' || token === 'password' || token === 'account') && current && i + 1 < tokens.length) {
      current[token] = tokens[++i]
    }
  }
  return machines
}

/** The entry for one host, or undefined when the file or the machine is missing. */
export async function readNetrcMachine(host: string, path = netrcPath()): Promise<NetrcMachine | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  return parseNetrc(text).get(host)
}
