// Where keys come from: the namespace's policies, and the authorization rules of each queue.
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

  /** Namespace policies named `keyName`, and those of the queue the audience names. */
  rulesFor(keyName: string, audiencePath: string): ScopedRule[] {
    const rules: ScopedRule[] = this.policies.filter(rule => rule.keyName === keyName)
    const queueName = audiencePath.split('/').filter(segment => !segment.startsWith('$')).join('/')
    if (queueName !== '') {
      const queue = this.broker.getQueue(queueName)
      if (queue) rules.push(...queue.authorizationRules.filter(rule => rule.keyName === keyName).map(rule => ({...rule, entity: queue.name})))
    }
    return rules
  }
}
