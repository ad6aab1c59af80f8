// Which Heroku app a command acts on: --app, else HEROKU_APP (environment, .env, saved config),
// else the git remote named "heroku", else the only remote pointing at a Heroku git URL.
import {execFile} from 'node:child_process'

import {UsageError} from '../../common/errors.js'
import {appFromGitRemotes, parseGitRemoteConfig} from './git-remotes.js'

export async function resolveApp(fromSettings: string | undefined, cwd: string): Promise<string> {
  if (fromSettings) return fromSettings
  const remotes = parseGitRemoteConfig(await gitRemoteConfig(cwd))
  const fromGit = appFromGitRemotes(remotes)
  if (fromGit.app) return fromGit.app
  if (fromGit.ambiguous) {
    throw new UsageError(`several git remotes point at Heroku apps (${fromGit.ambiguous.join(', ')})`, {
      hint: 'Pick one with --app APP, or name its remote "heroku".',
    })
  }
  throw new UsageError('no Heroku app given', {
    hint: 'Pass --app APP, set HEROKU_APP, run "qjob config set app APP", or add a git remote named "heroku".',
  })
}

/** `remote.<name>.url <url>` lines, or '' outside a git repository or without git. */
function gitRemoteConfig(cwd: string): Promise<string> {
  return new Promise(resolve => {
    execFile('git', ['config', '--get-regexp', '^remote\\..*\\.url$'], {cwd, timeout: 5000}, (error, stdout) => {
      resolve(error ? '' : stdout)
    })
  })
}
