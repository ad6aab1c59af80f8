// Flags every Heroku command shares.
import {Flags} from '../oclif.js'

export const appFlag = Flags.string({char: 'a', description: 'Heroku app (default: HEROKU_APP, then the "heroku" git remote)'})
