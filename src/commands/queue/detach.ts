import {Args, Flags} from '../../lib/oclif.js'

import {BaseCommand} from '../../lib/base-command.js'
import {confirmOrYes, yesFlag} from '../../lib/confirm.js'
import {appFlag} from '../../lib/heroku/flags.js'
import {managementFlags} from '../../lib/management/flags.js'
import {info} from '../../lib/output.js'

export default class QueueDetach extends BaseCommand {
  static override description = `Undo "qjob queue attach": remove the queue's config vars from the app.

Removes the connection-string and queue-name config vars (a new release: the dynos restart without them). With --delete-policy, also deletes that policy from the queue, which revokes its key wherever it is used. Asks first on a terminal.`

  static override examples = [
    {command: '<%= config.bin %> queue detach jobs --app my-app --yes', description: 'Remove SERVICEBUS_CONNECTION_STRING and QUEUE_NAME'},
    {command: '<%= config.bin %> queue detach jobs --app my-app --delete-policy my-app-listen --yes', description: 'Also revoke the key'},
    {command: '<%= config.bin %> queue detach jobs --app my-app --dry-run', description: 'Say what would change'},
  ]

  static override args = {queue: Args.string({description: 'Queue name', required: true})}

  static override flags = {
    app: appFlag,
    var: Flags.string({description: 'Config var of the connection string', default: 'SERVICEBUS_CONNECTION_STRING'}),
    'queue-var': Flags.string({description: 'Config var of the queue name', default: 'QUEUE_NAME'}),
    'delete-policy': Flags.string({description: 'Also delete this policy from the queue'}),
    'dry-run': Flags.boolean({description: 'Print what would change; change nothing'}),
    ...yesFlag,
    ...managementFlags,
  }

  static override enableJsonFlag = true

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(QueueDetach)
    const {detachQueue} = await import('../../lib/heroku/queue-attach.js')
    const options = {
      queue: args.queue,
      app: flags.app,
      connectionVar: flags.var,
      queueVar: flags['queue-var'],
      deletePolicy: flags['delete-policy'],
    }
    if (
      !flags['dry-run'] &&
      !(await confirmOrYes(
        `Detach queue ${args.queue} (remove ${flags.var}, ${flags['queue-var']}${flags['delete-policy'] ? ` and policy ${flags['delete-policy']}` : ''})?`,
        flags.yes,
      ))
    ) {
      this.log('Nothing changed.')
      return {queue: args.queue, removed: [], dryRun: false}
    }
    const result = await detachQueue(this.settings, flags, {...options, dryRun: flags['dry-run']})
    if (!this.jsonEnabled()) {
      if (result.dryRun) for (const step of result.steps) this.log(`Would ${step}`)
      else
        info(
          result.removed.length > 0 || result.policyDeleted
            ? `Detached queue ${result.queue} from ${result.app}: removed ${[...result.removed, ...(result.policyDeleted ? [`policy ${result.policyDeleted}`] : [])].join(', ')}.`
            : `Nothing to remove on ${result.app}.`,
        )
    }
    return result
  }
}
