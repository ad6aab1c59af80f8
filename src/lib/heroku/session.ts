// One command's connection to the Platform API: the token, the app and the base URL resolved from
// flags and settings. Commands call connectHeroku() and pass the result to the lib functions.
import type {Settings} from '../config.js'
import {HerokuApi, type HerokuApiOptions} from './api.js'
import {resolveApp} from './app.js'
import {resolveToken} from './token.js'

export interface HerokuSession {
  api: HerokuApi
  app: string
}

export async function connectHeroku(
  settings: Settings,
  options: {app?: string; remote?: string; cwd?: string; api?: Partial<HerokuApiOptions>} = {},
): Promise<HerokuSession> {
  const choice = {app: options.app, remote: options.remote, fromSettings: options.app || options.remote ? undefined : settings.get('app')}
  const app = await resolveApp(choice, options.cwd ?? process.cwd())
  const {token} = await resolveToken(name => settings.envValue(name))
  const baseUrl = settings.get('heroku-api-url')
  return {api: new HerokuApi({token, baseUrl, ...options.api}), app}
}

export function appPath(app: string, rest = ''): string {
  return `/apps/${encodeURIComponent(app)}${rest}`
}
