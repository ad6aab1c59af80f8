// Settings resolution: flag > environment > `.env` in the working directory > saved config.
// Saved defaults live in `<oclif config dir>/config.json`, mode 0600.
import {chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {readDotenv} from '../common/dotenv.js'
import {NotFoundError, UsageError} from '../common/errors.js'
import {registerSecret} from '../common/redact.js'

export interface SettingDefinition {
  env: string
  description: string
  secret?: boolean
}

export const SETTINGS = {
  'connection-string': {
    env: 'SERVICEBUS_CONNECTION_STRING',
    description: 'Service Bus connection string',
    secret: true,
  },
  namespace: {env: 'SERVICEBUS_NAMESPACE', description: 'Namespace host for Entra ID auth (<name>.servicebus.windows.net)'},
  queue: {env: 'QUEUE_NAME', description: 'Default queue'},
  'azure-subscription': {env: 'AZURE_SUBSCRIPTION_ID', description: 'Azure subscription id (ARM backend)'},
  'resource-group': {env: 'AZURE_RESOURCE_GROUP', description: 'Azure resource group (ARM backend)'},
  'namespace-name': {env: 'SERVICEBUS_NAMESPACE_NAME', description: 'Service Bus namespace name (ARM backend)'},
  app: {env: 'HEROKU_APP', description: 'Heroku app'},
  'heroku-api-url': {env: 'HEROKU_API_URL', description: 'Heroku Platform API base URL'},
} as const satisfies Record<string, SettingDefinition>

export type SettingKey = keyof typeof SETTINGS
export type SettingSource = 'flag' | 'env' | '.env' | 'config'

export interface ResolvedSetting {
  key: SettingKey
  value: string
  source: SettingSource
}

export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[]

export function isSettingKey(key: string): key is SettingKey {
  return Object.hasOwn(SETTINGS, key)
}

export function assertSettingKey(key: string): SettingKey {
  if (!isSettingKey(key)) {
    throw new UsageError(`unknown setting "${key}"`, {hint: `Settings: ${SETTING_KEYS.join(', ')}.`})
  }
  return key
}

export function isSecret(key: SettingKey): boolean {
  return (SETTINGS[key] as SettingDefinition).secret === true
}

/** The saved defaults file. Reads are strict: a file that is not a JSON object is an error. */
export class ConfigStore {
  readonly path: string

  constructor(readonly dir: string) {
    this.path = join(dir, 'config.json')
  }

  read(): Partial<Record<SettingKey, string>> {
    let text: string
    try {
      text = readFileSync(this.path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
      throw new UsageError(`cannot read ${this.path}: ${(error as Error).message}`)
    }
    let data: unknown
    try {
      data = JSON.parse(text)
    } catch {
      throw new UsageError(`${this.path} is not valid JSON`, {hint: 'Fix or delete the file; qjob did not change it.'})
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new UsageError(`${this.path} must hold a JSON object`, {hint: 'Fix or delete the file; qjob did not change it.'})
    }
    const saved: Partial<Record<SettingKey, string>> = {}
    for (const [key, value] of Object.entries(data)) {
      if (isSettingKey(key) && typeof value === 'string') saved[key] = value
    }
    return saved
  }

  set(key: SettingKey, value: string): void {
    this.write({...this.read(), [key]: value})
  }

  /** Returns false when the key was not saved. */
  unset(key: SettingKey): boolean {
    const saved = this.read()
    if (!(key in saved)) return false
    delete saved[key]
    this.write(saved)
    return true
  }

  private write(values: Partial<Record<SettingKey, string>>): void {
    mkdirSync(this.dir, {recursive: true, mode: 0o700})
    const temporary = `${this.path}.${process.pid}.tmp`
    writeFileSync(temporary, `${JSON.stringify(values, null, 2)}\n`, {mode: 0o600})
    chmodSync(temporary, 0o600)
    renameSync(temporary, this.path)
  }
}

export interface SettingsOptions {
  configDir: string
  cwd?: string
  env?: NodeJS.ProcessEnv
}

/** Resolves settings for one command run. `.env` and the saved file are read once, on first use. */
export class Settings {
  readonly store: ConfigStore
  private readonly cwd: string
  private readonly env: NodeJS.ProcessEnv
  private dotenvValues?: Record<string, string>
  private savedValues?: Partial<Record<SettingKey, string>>
  /** Environment names whose value this run took from `.env` (an auth error says so). */
  private readonly fromDotenv = new Set<string>()

  constructor(options: SettingsOptions) {
    this.store = new ConfigStore(options.configDir)
    this.cwd = options.cwd ?? process.cwd()
    this.env = options.env ?? process.env
  }

  /** An environment variable, falling back to `.env` (the real environment wins). */
  envValue(name: string): string | undefined {
    const value = this.env[name]
    if (value !== undefined && value !== '') return value
    this.dotenvValues ??= readDotenv(this.cwd)
    const fromFile = this.dotenvValues[name]
    if (fromFile === undefined || fromFile === '') return undefined
    this.fromDotenv.add(name)
    return fromFile
  }

  /** The environment names of credentials this run read from `.env`. */
  credentialsFromDotenv(): string[] {
    const credentials = new Set([
      'HEROKU_API_KEY',
      ...Object.values(SETTINGS)
        .filter(s => (s as SettingDefinition).secret)
        .map(s => s.env),
    ])
    return [...this.fromDotenv].filter(name => credentials.has(name))
  }

  resolve(key: SettingKey, flagValue?: string): ResolvedSetting | undefined {
    const found = this.lookup(key, flagValue)
    if (found && isSecret(key)) registerSecret(found.value)
    return found
  }

  get(key: SettingKey, flagValue?: string): string | undefined {
    return this.resolve(key, flagValue)?.value
  }

  require(key: SettingKey, flagValue: string | undefined, hint?: string): string {
    const value = this.get(key, flagValue)
    if (value === undefined) {
      const {env} = SETTINGS[key]
      throw new UsageError(`no ${key} given`, {
        hint: hint ?? `Pass --${key}, set ${env}, or run "qjob config set ${key} VALUE".`,
      })
    }
    return value
  }

  /** The saved value only (for `config get --saved`); NotFoundError when unset. */
  saved(key: SettingKey): string {
    const value = this.savedDefaults()[key]
    if (value === undefined) throw new NotFoundError(`${key} is not saved`, {hint: `Save it with "qjob config set ${key} VALUE".`})
    return value
  }

  private lookup(key: SettingKey, flagValue?: string): ResolvedSetting | undefined {
    if (flagValue !== undefined && flagValue !== '') return {key, value: flagValue, source: 'flag'}
    const {env} = SETTINGS[key]
    const fromEnv = this.env[env]
    if (fromEnv !== undefined && fromEnv !== '') return {key, value: fromEnv, source: 'env'}
    this.dotenvValues ??= readDotenv(this.cwd)
    const fromDotenv = this.dotenvValues[env]
    if (fromDotenv !== undefined && fromDotenv !== '') {
      this.fromDotenv.add(env)
      return {key, value: fromDotenv, source: '.env'}
    }
    const fromSaved = this.savedDefaults()[key]
    if (fromSaved !== undefined) return {key, value: fromSaved, source: 'config'}
    return undefined
  }

  private savedDefaults(): Partial<Record<SettingKey, string>> {
    this.savedValues ??= this.store.read()
    return this.savedValues
  }
}
