import {Args, Flags} from '../../../lib/oclif.js'

import {BaseCommand} from '../../../lib/base-command.js'
import {confirmOrYes, yesFlag} from '../../../lib/confirm.js'
import {withBackend} from '../../../lib/management/backend.js'
import {managementFlags} from '../../../lib/management/flags.js'
import type {PolicyInfo, PolicyKey} from '../../../lib/management/types.js'

export default class QueuePolicyRenew extends BaseCommand {
  static override description = `Replace one key of a queue's shared access policy with a new one (key rotation).

Clients holding the old key keep their open connection until its token is due for renewal, then lose access. Rotate without downtime: renew the secondary key, move clients to it, then renew the primary. The new key is not printed: use "qjob queue connection-string". Asks first on a terminal.`

  static override examples = [
    {command: '<%= config.bin %> queue policy renew workers --queue jobs --key secondary --yes', description: 'Rotate the secondary key'},
    {
      command: '<%= config.bin %> queue policy renew workers --queue jobs --yes --json',
      description: 'Rotate the primary key, result as JSON',
    },
  ]

  static override args = {name: Args.string({description: 'Policy name', required: true})}

  static override flags = {
    queue: Flags.string({char: 'q', description: 'Queue name', required: true}),
    key: Flags.string({description: 'Which key to replace', options: ['primary', 'secondary'], default: 'primary'}),
    ...yesFlag,
    ...managementFlags,
  }

  static override enableJsonFlag = true

  async run(): Promise<PolicyInfo & {key: PolicyKey; renewed: boolean}> {
    const {args, flags} = await this.parse(QueuePolicyRenew)
    const key = flags.key as PolicyKey
    if (
      !(await confirmOrYes(`Replace the ${key} key of policy ${args.name} on ${flags.queue}? Clients using it lose access.`, flags.yes))
    ) {
      this.log('Nothing changed.')
      return {name: args.name, queue: flags.queue, rights: [], key, renewed: false}
    }
    const policy = await withBackend(this.settings, flags, backend => backend.renewPolicyKey(flags.queue, args.name, key))
    if (!this.jsonEnabled()) this.log(`Renewed the ${key} key of policy ${policy.name} on ${policy.queue}`)
    return {...policy, key, renewed: true}
  }
}
