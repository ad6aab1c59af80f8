import {Args, Flags} from '../../lib/oclif.js'

import {BaseCommand} from '../../lib/base-command.js'
import {assertSettingKey, isSecret, type ResolvedSetting} from '../../lib/config.js'
import {NotFoundError} from '../../common/errors.js'

export default class ConfigGet extends BaseCommand {
  static override description = `Show the value qjob uses for a setting, and where it comes from.

Looks at the environment, the .env file in the working directory and the saved config, in that order. Secrets are shown redacted unless --reveal is given. Exits 3 when the setting is not set.`

  static override examples = [
    {command: '<%= config.bin %> config get queue', description: 'Print the effective default queue'},
    {command: '<%= config.bin %> config get app --json', description: 'Value and source as JSON'},
  ]

  static override args = {
    key: Args.string({description: 'Setting name', required: true}),
  }

  static override flags = {
    reveal: Flags.boolean({description: 'Print a secret value instead of redacting it'}),
  }

  static override enableJsonFlag = true

  async run(): Promise<ResolvedSetting> {
    const {args, flags} = await this.parse(ConfigGet)
    const key = assertSettingKey(args.key)
    const found = this.settings.resolve(key)
    if (!found) throw new NotFoundError(`${key} is not set`, {hint: `Set it with "qjob config set ${key} VALUE".`})
    const shown = isSecret(key) && !flags.reveal ? {...found, value: '***'} : found
    if (!this.jsonEnabled()) this.log(shown.value)
    return shown
  }
}
