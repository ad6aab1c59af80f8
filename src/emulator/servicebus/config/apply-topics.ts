// Creates (or updates) the topics, subscriptions and rules a config file declares. Rules are
// made to match the file: a subscription listed with Rules has exactly those; without Rules it
// keeps what it has ($Default when new).
import type {Broker} from '../broker/broker.js'
import type {TopicConfig} from './microsoft-topics.js'

export async function applyTopicConfig(broker: Broker, topics: TopicConfig[]): Promise<void> {
  const {topics: registry} = broker
  for (const topic of topics) {
    if (registry.get(topic.name)) await registry.update(topic.name, topic.settings)
    else await registry.create(topic.name, topic.settings)
    for (const subscription of topic.subscriptions) {
      const [first, ...others] = subscription.rules ?? []
      if (registry.getSubscription(topic.name, subscription.name))
        await registry.updateSubscription(topic.name, subscription.name, subscription.settings)
      else await registry.createSubscription(topic.name, subscription.name, subscription.settings, first)
      if (subscription.rules === undefined) continue
      const wanted = new Set(subscription.rules.map(rule => rule.name.toLowerCase()))
      for (const existing of registry.listRules(topic.name, subscription.name)) {
        if (!wanted.has(existing.name.toLowerCase())) await registry.deleteRule(topic.name, subscription.name, existing.name)
      }
      for (const rule of first ? [first, ...others] : []) {
        const present = registry.getRule(topic.name, subscription.name, rule.name) !== undefined
        await registry.putRule(topic.name, subscription.name, rule, present)
      }
    }
  }
}
