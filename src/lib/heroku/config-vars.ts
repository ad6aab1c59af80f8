// The app's config vars over the Platform API: read, and change (a value sets, null removes; each
// change is a release that restarts the dynos). Values that look secret are masked for display.
import {UsageError} from '../../common/errors.js'
import {redact} from '../../common/redact.js'
import type {HerokuApi} from './api.js'
import {appPath} from './session.js'

export type ConfigVars = Record<string, string>

export async function getConfigVars(api: HerokuApi, app: string): Promise<ConfigVars> {
  return api.get<ConfigVars>(appPath(app, '/config-vars'))
}

/** Applies the changes; returns the config vars afterwards. */
export async function updateConfigVars(api: HerokuApi, app: string, changes: Record<string, string | null>): Promise<ConfigVars> {
  return api.patch<ConfigVars>(appPath(app, '/config-vars'), {body: changes})
}

const SECRET_NAME = /(KEY|SECRET|TOKEN|PASSWORD|PASSWD|CONNECTION_STRING|CREDENTIALS?|SAS|URL)$/i

/** Whether a config var is shown masked unless revealed (by its name or its value's shape). */
export function isSecretVar(name: string, value: string): boolean {
  return SECRET_NAME.test(name) || redact(value) !== value
}

/** The value as printed: connection strings keep their endpoint and lose the key; other secrets are masked. */
export function displayValue(name: string, value: string, reveal: boolean): string {
  if (reveal) return value
  const scrubbed = redact(value)
  if (scrubbed !== value) return scrubbed
  return isSecretVar(name, value) ? '***' : value
}

/** `KEY=VALUE` arguments → changes; a malformed one is a usage error naming it. */
export function parseAssignments(values: readonly string[]): Record<string, string> {
  const changes: Record<string, string> = {}
  for (const value of values) {
    const index = value.indexOf('=')
    if (index <= 0)
      throw new UsageError(`cannot read "${redact(value)}"`, {hint: 'Write KEY=VALUE, e.g. qjob app config set QUEUE_NAME=jobs.'})
    changes[value.slice(0, index)] = value.slice(index + 1)
  }
  if (Object.keys(changes).length === 0) throw new UsageError('nothing to set', {hint: 'Give one or more KEY=VALUE.'})
  return changes
}
