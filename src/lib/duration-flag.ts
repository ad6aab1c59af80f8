// A flag that takes a duration in the one grammar every qjob duration flag takes (90, 30s, 10m,
// 1h30m, PT5M: src/common/duration.ts) and gives the command seconds, as the SDK options want.
// `minSeconds`: a shorter duration is refused (exit 2).
import {parseDuration} from '../common/duration.js'
import {UsageError} from '../common/errors.js'
import {Flags} from './oclif.js'

export const secondsFlag = Flags.custom<number, {minSeconds?: number}>({
  async parse(input, _context, options) {
    const seconds = parseDuration(input, 'duration') / 1000
    const min = options.minSeconds ?? 0
    if (seconds < min) throw new UsageError(`"${input}" is too short: at least ${min} s`)
    return seconds
  },
})
