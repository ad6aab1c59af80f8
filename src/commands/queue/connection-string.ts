import {Flags} from '../../lib/oclif.js'

import {BaseCommand} from '../../lib/base-command.js'
import {withBackend} from '../../lib/management/backend.js'
import {managementFlags} from '../../lib/management/flags.js'

export default class QueueConnectionString extends BaseCommand {
  static override description = `Print the connection string of a queue's policy.

This is the one qjob command that prints a secret, and only because you asked for it: store it in your app's config (e.g. heroku config:set) rather than in logs.`

  static override examples = [
    {
      command: '<%= config.bin %> queue connection-string --queue jobs --policy workers',
      description: "The workers' Listen-only connection string",
    },
    {
      command: '<%= config.bin %> queue connection-string -q jobs --policy workers',
      description:
        'Hand it to a Heroku app: heroku config:set SERVICEBUS_CONNECTION_STRING="$(qjob queue connection-string -q jobs --policy workers)"',
    },
  ]

  static override flags = {
    queue: Flags.string({char: 'q', description: 'Queue name', required: true}),
    policy: Flags.string({description: 'Policy name', required: true}),
    ...managementFlags,
  }

  static override enableJsonFlag = true

  async run(): Promise<{queue: string; policy: string; connectionString: string}> {
    const {flags} = await this.parse(QueueConnectionString)
    const connectionString = await withBackend(this.settings, flags, backend => backend.policyConnectionString(flags.queue, flags.policy))
    // Printed on request; written directly so that no redaction hides what was asked for.
    if (!this.jsonEnabled()) process.stdout.write(`${connectionString}\n`)
    return {queue: flags.queue, policy: flags.policy, connectionString}
  }
}
