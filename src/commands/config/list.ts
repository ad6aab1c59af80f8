import {BaseCommand} from '../../lib/base-command.js'
import {isSecret, SETTING_KEYS, SETTINGS} from '../../lib/config.js'
import {formatTable} from '../../lib/output.js'

interface SettingRow {
  key: string
  env: string
  value: string | null
  source: string | null
}

export default class ConfigList extends BaseCommand {
  static override description = `List every setting with its effective value and source.

Sources, highest first: flag, env (environment), .env (file in the working directory), config (saved with "qjob config set"). Secrets are always redacted.`

  static override examples = [
    {command: '<%= config.bin %> config list', description: 'Show all settings'},
    {command: '<%= config.bin %> config list --json | jq -r ".[] | select(.source) | .key"', description: 'Keys that are set'},
  ]

  static override enableJsonFlag = true

  async run(): Promise<SettingRow[]> {
    await this.parse(ConfigList)
    const rows = SETTING_KEYS.map(key => {
      const found = this.settings.resolve(key)
      const value = found ? (isSecret(key) ? '***' : found.value) : null
      return {key, env: SETTINGS[key].env, value, source: found?.source ?? null}
    })
    if (!this.jsonEnabled()) {
      this.log(
        formatTable(rows, [
          {header: 'KEY', get: row => row.key},
          {header: 'VALUE', get: row => row.value ?? '-', max: 60},
          {header: 'SOURCE', get: row => row.source ?? ''},
          {header: 'ENV', get: row => row.env},
        ]),
      )
    }
    return rows
  }
}
