// oclif's command_not_found hook: a mistyped command or topic is one line naming the closest
// command or topic, exit 2. (@oclif/plugin-not-found exits 127 and, off a TTY, names no
// suggestion; a script needs both the suggestion and the usage exit code.)
import type {Interfaces} from '../oclif.js'

import {UsageError} from '../../common/errors.js'
import {closest} from '../../common/suggest.js'

interface NotFoundOptions {
  id: string
  config: Interfaces.Config
}

const hook = async function (options: NotFoundOptions): Promise<never> {
  const {config} = options
  const spaced = (id: string) => id.replaceAll(':', ' ')
  const typed = spaced(options.id)
  const visible = config.commands.filter(command => !command.hidden)
  const candidates = [
    ...visible.flatMap(command => [command.id, ...command.aliases]),
    ...config.topics.filter(topic => !topic.hidden).map(topic => topic.name),
  ].map(spaced)
  const suggestion = closest(typed, new Set(candidates))
  throw new UsageError(`unknown command "${typed}"${suggestion ? `; did you mean "${config.bin} ${suggestion}"?` : ''}`, {
    hint: `Run "${config.bin} help" to list the commands.`,
  })
}

export default hook
