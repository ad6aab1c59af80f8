// The SAS check of the management API. The SDK signs each request's full URL (SB
// src/util/sasServiceClientCredentials.ts: sr = E(url lowercased) lowercased); a namespace-wide
// token (sr = the namespace) is accepted too. Manage rights are required, from a namespace policy
// or from a rule of the queue the request is about.
import type {NamespacePolicies} from '../auth/namespace-policies.js'
import {SasError, verifySasToken} from '../auth/sas-token.js'
import type {Broker} from '../broker/broker.js'
import type {AuthorizationRule} from '../broker/queue-properties.js'

export type AdminAuthDecision = {allowed: true} | {allowed: false; detail: string}

export interface AdminAuthDeps {
  policies: NamespacePolicies
  broker: Broker
}

function decodedLower(path: string): string {
  try {
    return decodeURIComponent(path).toLowerCase()
  } catch {
    return path.toLowerCase()
  }
}

/**
 * @param resourcePath the request's path without the leading slash (`q1`, `$Resources/Queues`)
 * @param queueName the queue the request manages, whose own rules may grant Manage
 */
export function authorizeAdminRequest(
  header: string | undefined,
  resourcePath: string,
  queueName: string | undefined,
  deps: AdminAuthDeps,
): AdminAuthDecision {
  if (!header)
    return {
      allowed: false,
      detail: "MissingToken: the request has no authorization header; 'Manage' claim(s) are required for this operation.",
    }
  const rulesFor = (keyName: string): AuthorizationRule[] => {
    const rules = deps.policies.list().filter(rule => rule.keyName === keyName)
    // The queue's rules, or the topic's (queueName may name a topic or one of its subscriptions or rules).
    if (queueName !== undefined) rules.push(...deps.broker.authorizationRulesFor(queueName).filter(rule => rule.keyName === keyName))
    return rules
  }
  let token
  try {
    token = verifySasToken(header, rulesFor, deps.broker.now())
  } catch (error) {
    if (error instanceof SasError) return {allowed: false, detail: error.message}
    throw error
  }
  const audience = decodedLower(token.audiencePath)
  const requested = resourcePath.toLowerCase()
  if (audience !== '' && requested !== audience && !requested.startsWith(`${audience}/`)) {
    return {allowed: false, detail: `InvalidAudience: the token is for '${audience}', not for '${resourcePath}'.`}
  }
  if (!token.rights.has('Manage')) {
    return {
      allowed: false,
      detail: `Unauthorized access. 'Manage' claim(s) are required to perform this operation. Resource: '${resourcePath}'.`,
    }
  }
  return {allowed: true}
}
