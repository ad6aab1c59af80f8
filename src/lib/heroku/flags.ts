// Flags every Heroku command shares.
import {Flags} from '../oclif.js'

export const appFlag = Flags.string({char: 'a', description: 'Heroku app (default: HEROKU_APP, then the "heroku" git remote).'})

export const remoteFlag = Flags.string({
  char: 'r',
  description: 'Git remote whose Heroku app to use (default: git config heroku.remote, then "heroku").',
  exclusive: ['app'],
})

/** --app and --remote, as every Heroku command takes them. */
export const herokuAppFlags = {app: appFlag, remote: remoteFlag}
