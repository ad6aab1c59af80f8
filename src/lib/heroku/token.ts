// The Heroku API token: HEROKU_API_KEY (environment or .env), else ~/.netrc machine
// api.heroku.com, as the Heroku CLI stores it after "heroku login". Registered for redaction.
import {AuthError} from '../../common/errors.js'
import {registerSecret} from '../../common/redact.js'

export const NETRC_MACHINE = 'api.heroku.com'

export interface TokenSource {
  token: string
  source: 'HEROKU_API_KEY' | 'netrc'
}

export async function resolveToken(envValue: (name: string) => string | undefined): Promise<TokenSource> {
  const fromEnv = envValue('HEROKU_API_KEY')?.trim()
  if (fromEnv) {
    registerSecret(fromEnv)
    return {token: fromEnv, source: 'HEROKU_API_KEY'}
  }
  const fromNetrc = await netrcToken()
  if (fromNetrc) {
    registerSecret(fromNetrc)
    return {token: fromNetrc, source: 'netrc'}
  }
  throw new AuthError('no Heroku API token', {
    hint: 'Set HEROKU_API_KEY, or run "heroku login" to store one in ~/.netrc (machine api.heroku.com).',
  })
}

async function netrcToken(): Promise<string | undefined> {
  const {Netrc} = await import('netrc-parser')
  const netrc = new Netrc()
  try {
    await netrc.load()
  } catch (error) {
    throw new AuthError(`cannot read ${netrc.file}: ${(error as Error).message.split('\n')[0]}`, {
      hint: 'Fix the file, or set HEROKU_API_KEY instead.',
    })
  }
  const password = netrc.machines[NETRC_MACHINE]?.password?.trim()
  return password ? password : undefined
}
