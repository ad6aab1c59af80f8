// Where keys come from: the namespace's policies, and the authorization rules of each queue.
import type {Broker} from '../broker/broker.js'
import type {AuthorizationRule} from '../broker/queue-properties.js'

export class NamespacePolicies {
  constructor(
    private readonly policies: AuthorizationRule[],
    private readonly broker: Broker,
  ) {}

  list(): readonly AuthorizationRule[] {
    return this.policies
  }

  /** Namespace policies named `keyName`, and those of the queue or topic the audience names. */
  rulesFor(keyName: string, audiencePath: string): AuthorizationRule[] {
    const rules = this.policies.filter(rule => rule.keyName === keyName)
    // The queue's policies, or the topic's (they cover its subscriptions too).
    if (audiencePath !== '') rules.push(...this.broker.authorizationRulesFor(audiencePath).filter(rule => rule.keyName === keyName))
    return rules
  }
}
