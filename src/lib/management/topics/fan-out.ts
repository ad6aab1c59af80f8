// What `qjob topic show` reads: the topic, each subscription with its live counts and its rules.
import type {FanOut} from './table.js'
import type {TopicManagement} from './types.js'

export async function readFanOut(topics: TopicManagement, name: string): Promise<FanOut> {
  const topic = await topics.getTopic(name)
  const listed = []
  for await (const subscription of topics.listSubscriptions(name)) listed.push(subscription)
  const subscriptions = await Promise.all(
    listed.map(async subscription => ({...subscription, rules: await topics.listRules(name, subscription.name)})),
  )
  return {topic, subscriptions}
}
