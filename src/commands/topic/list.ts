import {BaseCommand} from '../../lib/base-command.js'
import {withBackend} from '../../lib/management/backend.js'
import {managementFlags} from '../../lib/management/flags.js'
import {topicColumns} from '../../lib/management/topics/table.js'
import type {TopicInfo} from '../../lib/management/topics/types.js'
import {formatTable} from '../../lib/output.js'

export default class TopicList extends BaseCommand {
  static override summary = 'List topics with their status, subscription count and scheduled messages.'

  static override examples = [
    {command: '<%= config.bin %> topic list', description: 'All topics as a table'},
    {command: "<%= config.bin %> topic list --json | jq -r '.[].name'", description: 'Just the names'},
  ]

  static override flags = {...managementFlags}

  static override enableJsonFlag = true

  async run(): Promise<TopicInfo[]> {
    const {flags} = await this.parse(TopicList)
    const all = await withBackend(this.settings, flags, async ({topics}) => {
      const listed: TopicInfo[] = []
      for await (const topic of topics.listTopics()) listed.push(topic)
      return listed
    })
    if (!this.jsonEnabled()) this.log(all.length === 0 ? 'No topics.' : formatTable(all, topicColumns))
    return all
  }
}
