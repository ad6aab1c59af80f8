// Where keys come from: the namespace's policies, and the authorization rules of each queue and topic.
import type {Broker} from '../broker/broker.js'
import type {AuthorizationRule} from '../broker/queue-properties.js'
import type {ScopedRule} from './sas-token.js'

export class NamespacePolicies {
  constructor(
    private readonly policies: AuthorizationRule[],
    private readonly broker: Broker,
  ) {}

  list(): readonly AuthorizationRule[] {
    return this.policies
  }

  /** Namespace policies named `keyName`, and those of the queue or topic the audience names. */
  rulesFor(keyName: string, audiencePath: string): ScopedRule[] {
    const rules: ScopedRule[] = this.policies.filter(rule => rule.keyName === keyName)
    // The queue's policies, or the topic's (they cover its subscriptions too).
    const owner = audiencePath === '' ? undefined : this.broker.authorizationRulesOwner(audiencePath)
    if (owner) rules.push(...owner.rules.filter(rule => rule.keyName === keyName).map(rule => ({...rule, entity: owner.entity})))
    return rules
  }
}
