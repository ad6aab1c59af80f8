import {Args, Flags} from '../../lib/oclif.js'

import {BaseCommand} from '../../lib/base-command.js'
import {withBackend} from '../../lib/management/backend.js'
import {managementFlags, queueSpecFlags} from '../../lib/management/flags.js'
import {queueSpecFromFlags} from '../../lib/management/queue-spec.js'
import type {QueueInfo} from '../../lib/management/types.js'

export default class QueueCreate extends BaseCommand {
  static override description = `Create a queue.

Settings not given keep Azure's defaults. Values are checked before anything is sent (lock duration 5 s to 5 min, delivery count at least 1, durations like 30s, 10m, 14d). --if-not-exists makes the command succeed when the queue is already there (for idempotent CI scripts).`

  static override examples = [
    {command: '<%= config.bin %> queue create jobs', description: 'A queue with the default settings'},
    {
      command: '<%= config.bin %> queue create jobs --lock-duration 2m --max-delivery-count 5 --default-ttl 1d --dead-letter-on-expiration',
      description: 'Tuned for slow jobs',
    },
    {
      command: '<%= config.bin %> queue create orders --requires-session --duplicate-detection-window 10m --if-not-exists',
      description: 'Ordered per session, deduplicated, idempotent',
    },
    {
      command: '<%= config.bin %> queue create pr-123 --auto-delete-on-idle 1d --enable-partitioning',
      description: 'A partitioned preview queue that deletes itself after a day unused',
    },
  ]

  static override args = {name: Args.string({description: 'Queue name', required: true})}

  static override flags = {
    ...queueSpecFlags,
    'if-not-exists': Flags.boolean({description: 'Succeed without changes if the queue exists'}),
    ...managementFlags,
  }

  static override enableJsonFlag = true

  async run(): Promise<QueueInfo & {created: boolean}> {
    const {args, flags} = await this.parse(QueueCreate)
    const spec = queueSpecFromFlags(flags)
    return withBackend(this.settings, flags, async backend => {
      if (flags['if-not-exists'] && (await backend.queueExists(args.name))) {
        if (!this.jsonEnabled()) this.log(`Queue ${args.name} already exists`)
        return {...(await backend.getQueue(args.name)), created: false}
      }
      const queue = await backend.createQueue(args.name, spec)
      if (!this.jsonEnabled()) this.log(`Created queue ${queue.name}`)
      return {...queue, created: true}
    })
  }
}
