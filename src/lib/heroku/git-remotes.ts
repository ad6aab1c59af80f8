// Finding the Heroku app in git remotes. Pure functions.

export interface GitRemote {
  name: string
  url: string
}

/** Parses `git config --get-regexp '^remote\..*\.url$'` output. */
export function parseGitRemoteConfig(text: string): GitRemote[] {
  const remotes: GitRemote[] = []
  for (const line of text.split('\n')) {
    const match = /^remote\.(.+)\.url\s+(\S+)\s*$/.exec(line.trim())
    if (match) remotes.push({name: match[1], url: match[2]})
  }
  return remotes
}

/** Parses `git config --get-regexp '^(remote\..*\.url|heroku\.remote)$'` output. */
export function parseGitConfig(text: string): {remotes: GitRemote[]; herokuRemote?: string} {
  const herokuRemote = /^heroku\.remote\s+(\S+)\s*$/m.exec(text)?.[1]
  return {remotes: parseGitRemoteConfig(text), herokuRemote}
}

const HEROKU_GIT_URLS = [
  /^https:\/\/git\.heroku\.com\/([a-z][a-z0-9-]+)\.git\/?$/,
  /^git@heroku\.com:([a-z][a-z0-9-]+)\.git$/,
  /^ssh:\/\/git@heroku\.com\/([a-z][a-z0-9-]+)\.git$/,
]

/** The app of a Heroku git URL (https://git.heroku.com/APP.git, git@heroku.com:APP.git). */
export function appFromGitUrl(url: string): string | undefined {
  for (const pattern of HEROKU_GIT_URLS) {
    const match = pattern.exec(url)
    if (match) return match[1]
  }
  return undefined
}

export function appFromGitRemotes(remotes: readonly GitRemote[]): {app?: string; ambiguous?: string[]} {
  const named = remotes.find(remote => remote.name === 'heroku')
  const namedApp = named && appFromGitUrl(named.url)
  if (namedApp) return {app: namedApp}
  const herokuRemotes = remotes.filter(remote => appFromGitUrl(remote.url))
  const apps = [...new Set(herokuRemotes.map(remote => appFromGitUrl(remote.url) as string))]
  if (apps.length === 1) return {app: apps[0]}
  if (apps.length > 1) return {ambiguous: herokuRemotes.map(remote => `${remote.name} → ${appFromGitUrl(remote.url)}`)}
  return {}
}
