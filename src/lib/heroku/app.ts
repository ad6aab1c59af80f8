// Which Heroku app a command acts on, in the Heroku CLI's order: --app, else the git remote named
// by --remote, else HEROKU_APP (environment, .env, saved config), else the remote named by
// `git config heroku.remote`, else the git remote named "heroku", else the only remote pointing
// at a Heroku git URL.
import {execFile} from 'node:child_process'

import {UsageError} from '../../common/errors.js'
import {appFromGitRemotes, appFromGitUrl, parseGitConfig} from './git-remotes.js'

export interface AppChoice {
  /** --app */
  app?: string
  /** --remote: a git remote whose URL names the app */
  remote?: string
  /** HEROKU_APP from the environment, .env or saved config */
  fromSettings?: string
}

export async function resolveApp(choice: AppChoice, cwd: string): Promise<string> {
  if (choice.app) return choice.app
  if (!choice.remote && choice.fromSettings) return choice.fromSettings
  const git = parseGitConfig(await gitConfig(cwd))
  const remoteName = choice.remote ?? git.herokuRemote
  if (remoteName) {
    const remote = git.remotes.find(candidate => candidate.name === remoteName)
    const from = choice.remote ? '--remote' : 'git config heroku.remote'
    if (!remote) {
      const known = git.remotes.map(candidate => candidate.name).join(', ') || 'none'
      throw new UsageError(`no git remote "${remoteName}" (from ${from})`, {hint: `Git remotes here: ${known}.`})
    }
    const app = appFromGitUrl(remote.url)
    if (!app)
      throw new UsageError(`git remote "${remoteName}" (from ${from}) is not a Heroku git URL: ${remote.url}`, {
        hint: 'Pass --app APP instead.',
      })
    return app
  }
  const fromGit = appFromGitRemotes(git.remotes)
  if (fromGit.app) return fromGit.app
  if (fromGit.ambiguous) {
    throw new UsageError(`several git remotes point at Heroku apps (${fromGit.ambiguous.join(', ')})`, {
      hint: 'Pick one with --app APP or --remote NAME, or name its remote "heroku".',
    })
  }
  throw new UsageError('no Heroku app given', {
    hint: 'Pass --app APP or --remote NAME, set HEROKU_APP, run "qjob config set app APP", or add a git remote named "heroku".',
  })
}

/** `remote.<name>.url <url>` and `heroku.remote <name>` lines, or '' outside a git repository or without git. */
function gitConfig(cwd: string): Promise<string> {
  return new Promise(resolve => {
    execFile('git', ['config', '--get-regexp', '^(remote\\..*\\.url|heroku\\.remote)$'], {cwd, timeout: 5000}, (error, stdout) => {
      resolve(error ? '' : stdout)
    })
  })
}
