// Flags every cron command shares: the control queue and the connection (ATOM or ARM).
import {managementFlags} from '../management/flags.js'
import {Flags} from '../oclif.js'

export const cronFlags = {
  'cron-queue': Flags.string({
    description: 'Control queue holding the schedules (created with duplicate detection) [env: QJOB_CRON_QUEUE]',
    default: undefined,
    helpGroup: 'CRON',
  }),
  ...managementFlags,
}

export const ndjsonFlag = {ndjson: Flags.boolean({description: 'One JSON object a line', exclusive: ['json']})}
