import {Args} from '../../lib/oclif.js'

import {BaseCommand} from '../../lib/base-command.js'
import {assertSettingKey, isSecret, SETTING_KEYS} from '../../lib/config.js'

export default class ConfigSet extends BaseCommand {
  static override description = `Save a default setting.

Saved settings are the last resort: a flag, an environment variable or a .env entry wins over them. They are stored in the qjob config directory with file mode 0600. Keys: ${SETTING_KEYS.join(', ')}.`

  static override examples = [
    {command: '<%= config.bin %> config set queue jobs', description: 'Use the "jobs" queue by default'},
    {command: '<%= config.bin %> config set app my-heroku-app', description: 'Default Heroku app'},
    {
      command: '<%= config.bin %> config set connection-string "$SERVICEBUS_CONNECTION_STRING"',
      description: 'Save a connection string (never printed back)',
    },
  ]

  static override args = {
    key: Args.string({description: 'Setting name', required: true}),
    value: Args.string({description: 'Value to save', required: true}),
  }

  static override enableJsonFlag = true

  async run(): Promise<{key: string; saved: boolean}> {
    const {args} = await this.parse(ConfigSet)
    const key = assertSettingKey(args.key)
    this.settings.store.set(key, args.value)
    if (!this.jsonEnabled()) this.log(`Saved ${key}${isSecret(key) ? ' (secret, hidden)' : ` = ${args.value}`}`)
    return {key, saved: true}
  }
}
