import {Args, Flags} from '../../lib/oclif.js'

import {BaseCommand} from '../../lib/base-command.js'
import {appFlag} from '../../lib/heroku/flags.js'
import {managementFlags} from '../../lib/management/flags.js'
import {parseRights} from '../../lib/management/queue-spec.js'
import {info} from '../../lib/output.js'

export default class QueueAttach extends BaseCommand {
  static override description = `Wire a queue to a Heroku app: a Listen-only policy on the queue and two config vars.

Ensures a policy on QUEUE with the rights the app needs (created unless --policy names an existing one; by default APP-listen), then sets the policy's connection string (--var, default SERVICEBUS_CONNECTION_STRING) and the queue name (--queue-var, default QUEUE_NAME) as the app's config vars. Setting them is a new release: the app's dynos restart with them. The key is never printed. A missing queue or app changes nothing (exit 3); a failure after the policy was created deletes it again.`

  static override examples = [
    {
      command: '<%= config.bin %> queue attach jobs --app my-app',
      description: 'Workers of my-app receive from jobs with a Listen-only key',
    },
    {
      command: '<%= config.bin %> queue attach jobs --app my-app --rights Listen,Send --var JOBS_CONNECTION',
      description: 'A web dyno that also sends',
    },
    {command: '<%= config.bin %> queue attach jobs --app my-app --dry-run', description: 'Say what would change; change nothing'},
  ]

  static override args = {queue: Args.string({description: 'Queue name', required: true})}

  static override flags = {
    app: appFlag,
    policy: Flags.string({description: 'Policy to use (created if it does not exist; default APP-RIGHTS)'}),
    rights: Flags.string({description: 'Rights the app needs: Listen, or Listen,Send for producers', default: 'Listen'}),
    var: Flags.string({description: 'Config var for the connection string', default: 'SERVICEBUS_CONNECTION_STRING'}),
    'queue-var': Flags.string({description: 'Config var for the queue name', default: 'QUEUE_NAME'}),
    'dry-run': Flags.boolean({description: 'Print what would change; change nothing'}),
    ...managementFlags,
  }

  static override enableJsonFlag = true

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(QueueAttach)
    const rights = parseRights(flags.rights)
    const {attachQueue} = await import('../../lib/heroku/queue-attach.js')
    const result = await attachQueue(this.settings, flags, {
      queue: args.queue,
      app: flags.app,
      policy: flags.policy,
      rights,
      connectionVar: flags.var,
      queueVar: flags['queue-var'],
      dryRun: flags['dry-run'],
    })
    if (!this.jsonEnabled()) {
      if (result.dryRun) for (const step of result.steps) this.log(`Would ${step}`)
      else
        info(
          `Attached queue ${result.queue} to ${result.app}: policy ${result.policy} (${result.rights.join(', ')})${result.policyCreated ? ', created' : ''}; set ${result.configVars.join(', ')}.`,
        )
    }
    return result
  }
}
