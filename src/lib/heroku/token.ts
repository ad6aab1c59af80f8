// The Heroku API token, looked up where the Heroku CLI keeps it: HEROKU_API_KEY (environment or
// .env), ~/.netrc machine api.heroku.com, the OS credential store the Heroku CLI 11.6+ writes on
// "heroku login" (service "heroku-cli"), and last `heroku auth:token` when a heroku binary is on
// PATH. The first found wins and is registered for redaction; when none is found the error names
// every place looked.
import {execFile} from 'node:child_process'
import {accessSync, constants} from 'node:fs'
import {delimiter, join} from 'node:path'

import {AuthError} from '../../common/errors.js'
import {registerSecret} from '../../common/redact.js'
import {netrcPath, readNetrcMachine} from './netrc.js'

export const NETRC_MACHINE = 'api.heroku.com'
/** The service name the Heroku CLI stores its token under in the OS credential store. */
export const CREDENTIAL_SERVICE = 'heroku-cli'

export type TokenSourceName = 'HEROKU_API_KEY' | 'netrc' | 'credential-store' | 'heroku auth:token'

export interface TokenSource {
  token: string
  source: TokenSourceName
  /** Where, for people: "HEROKU_API_KEY", "~/.netrc", "the macOS keychain", … */
  where: string
}

export interface TokenLookupOptions {
  env?: NodeJS.ProcessEnv
  platform?: NodeJS.Platform
}

interface Attempt {
  where: string
  token?: string
  /** Why this place could not be asked (a tool not installed). */
  skipped?: string
}

export async function resolveToken(envValue: (name: string) => string | undefined, options: TokenLookupOptions = {}): Promise<TokenSource> {
  const env = options.env ?? process.env
  const platform = options.platform ?? process.platform
  const looked: string[] = []
  const found = (token: string, source: TokenSourceName, where: string): TokenSource => {
    registerSecret(token)
    return {token, source, where}
  }

  const fromEnv = envValue('HEROKU_API_KEY')?.trim()
  if (fromEnv) return found(fromEnv, 'HEROKU_API_KEY', 'HEROKU_API_KEY')
  looked.push('HEROKU_API_KEY')

  const path = netrcPath(env, platform)
  const netrc = await readNetrc(path)
  if (netrc?.password) return found(netrc.password, 'netrc', path)
  looked.push(`${path} (machine ${NETRC_MACHINE})`)

  const store = await credentialStoreToken(platform, env, netrc?.login)
  if (store.token) return found(store.token, 'credential-store', store.where)
  looked.push(store.skipped ? `${store.where} (${store.skipped})` : store.where)

  const cli = await herokuCliToken(env, platform)
  if (cli.token) return found(cli.token, 'heroku auth:token', cli.where)
  looked.push(cli.skipped ? `${cli.where} (${cli.skipped})` : cli.where)

  throw new AuthError(`no Heroku API token; looked in ${looked.join(', ')}`, {
    hint: 'Set HEROKU_API_KEY, or run "heroku login".',
  })
}

async function readNetrc(path: string): Promise<{login?: string; password?: string} | undefined> {
  try {
    const machine = await readNetrcMachine(NETRC_MACHINE, path)
    const password = machine?.password?.trim()
    return machine && {login: machine.login, password: password || undefined}
  } catch (error) {
    throw new AuthError(`cannot read ${path}: ${(error as Error).message.split('\n')[0]}`, {
      hint: 'Fix the file, or set HEROKU_API_KEY instead.',
    })
  }
}

/** The token in the OS store; the account (the login e-mail) narrows the lookup when netrc names one. */
async function credentialStoreToken(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, account?: string): Promise<Attempt> {
  if (platform === 'darwin') {
    const where = 'the macOS keychain (security)'
    const args = ['find-generic-password', '-s', CREDENTIAL_SERVICE, ...(account ? ['-a', account] : []), '-w']
    return ask(where, 'security', args, env)
  }
  if (platform === 'win32') {
    const where = 'the Windows Credential Manager'
    // PasswordVault is where the Heroku CLI writes; the first credential of the service wins.
    const script = [
      "$ErrorActionPreference = 'Stop'",
      '[void][Windows.Security.Credentials.PasswordVault,Windows.Security.Credentials,ContentType=WindowsRuntime]',
      '$vault = New-Object Windows.Security.Credentials.PasswordVault',
      `$c = ${account ? `$vault.Retrieve('${CREDENTIAL_SERVICE}', '${account.replaceAll("'", "''")}')` : `@($vault.FindAllByResource('${CREDENTIAL_SERVICE}'))[0]`}`,
      '$c.RetrievePassword()',
      '$c.Password',
    ].join('; ')
    return ask(where, 'powershell', ['-NoProfile', '-NonInteractive', '-Command', script], env)
  }
  const where = 'the Secret Service keyring (secret-tool)'
  return ask(where, 'secret-tool', ['lookup', 'service', CREDENTIAL_SERVICE, ...(account ? ['account', account] : [])], env)
}

async function herokuCliToken(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): Promise<Attempt> {
  const where = '"heroku auth:token"'
  const heroku = findOnPath(platform === 'win32' ? ['heroku.cmd', 'heroku.exe', 'heroku'] : ['heroku'], env)
  if (!heroku) return {where, skipped: 'no heroku on PATH'}
  return ask(where, heroku, ['auth:token'], env, 30_000)
}

/** Runs a lookup tool; a missing tool, a failure or empty output count as "not there". */
function ask(where: string, file: string, args: string[], env: NodeJS.ProcessEnv, timeout = 10_000): Promise<Attempt> {
  return new Promise(resolve => {
    execFile(file, args, {env, timeout, windowsHide: true}, (error, stdout) => {
      if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
        resolve({where, skipped: 'not installed'})
        return
      }
      const token = error ? '' : lastLine(stdout)
      resolve(token ? {where, token} : {where})
    })
  })
}

function lastLine(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .map(line => line.trim())
    .filter(line => line !== '')
  return lines.at(-1) ?? ''
}

function findOnPath(names: string[], env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? env.Path ?? '').split(delimiter)) {
    if (!dir) continue
    for (const name of names) {
      const candidate = join(dir, name)
      try {
        accessSync(candidate, constants.X_OK)
        return candidate
      } catch {
        // not here
      }
    }
  }
  return undefined
}
