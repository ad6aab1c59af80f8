import {Args} from '../../lib/oclif.js'

import {BaseCommand} from '../../lib/base-command.js'
import {assertSettingKey} from '../../lib/config.js'

export default class ConfigUnset extends BaseCommand {
  static override description = 'Remove a saved default setting.'

  static override examples = [{command: '<%= config.bin %> config unset queue', description: 'Forget the saved default queue'}]

  static override args = {
    key: Args.string({description: 'Setting name', required: true}),
  }

  static override enableJsonFlag = true

  async run(): Promise<{key: string; removed: boolean}> {
    const {args} = await this.parse(ConfigUnset)
    const key = assertSettingKey(args.key)
    const removed = this.settings.store.unset(key)
    if (!this.jsonEnabled()) this.log(removed ? `Removed ${key}` : `${key} was not saved`)
    return {key, removed}
  }
}
