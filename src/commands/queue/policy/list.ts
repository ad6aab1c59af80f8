import {Flags} from '../../../lib/oclif.js'

import {BaseCommand} from '../../../lib/base-command.js'
import {withBackend} from '../../../lib/management/backend.js'
import {managementFlags} from '../../../lib/management/flags.js'
import {policyColumns} from '../../../lib/management/queue-table.js'
import type {PolicyInfo} from '../../../lib/management/types.js'
import {formatTable} from '../../../lib/output.js'

export default class QueuePolicyList extends BaseCommand {
  static override description = 'List the shared access policies of a queue (names and rights; never keys).'

  static override examples = [{command: '<%= config.bin %> queue policy list --queue jobs', description: 'Policies of the jobs queue'}]

  static override flags = {
    queue: Flags.string({char: 'q', description: 'Queue name', required: true}),
    ...managementFlags,
  }

  static override enableJsonFlag = true

  async run(): Promise<PolicyInfo[]> {
    const {flags} = await this.parse(QueuePolicyList)
    const policies = await withBackend(this.settings, flags, backend => backend.listPolicies(flags.queue))
    if (!this.jsonEnabled())
      this.log(policies.length === 0 ? `Queue ${flags.queue} has no policies.` : formatTable(policies, policyColumns))
    return policies
  }
}
