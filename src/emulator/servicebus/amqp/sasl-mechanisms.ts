// The SASL mechanisms the emulator offers, as Azure Service Bus does (AMQP 1.0 protocol guide,
// "Security and authentication"): ANONYMOUS (the JS, .NET and Java SDKs, then a token on $cbs),
// MSSBCBS (Microsoft's name for "claims-based security follows": the C uAMQP stack, so the
// Python SDK up to 7.8, the C and IoT SDKs; its initial response is empty), and PLAIN with a
// shared access key name and key as user name and password (the legacy mode: the connection is
// then authorised by the namespace policy itself, no $cbs token needed). EXTERNAL is not offered:
// it means a TLS client certificate, and the emulator's AMQP port has no TLS client auth.
// A client that skips SASL altogether (AMQP header with protocol id 0) is still served, as rhea
// does when ANONYMOUS is on offer.
import type {Connection} from 'rhea'

import type {NamespacePolicies} from '../auth/namespace-policies.js'
import type {VerifiedToken} from '../auth/sas-token.js'

export const SASL_MECHANISMS = ['MSSBCBS', 'ANONYMOUS', 'PLAIN'] as const

/** What rhea's SaslServer calls: start(initial response, hostname) sets `outcome` (true: accepted). */
interface ServerMechanism {
  outcome?: boolean
  username?: string
  /** PLAIN: the policy the key matched, as a never-expiring namespace-wide token. */
  token?: VerifiedToken
  start(response: Buffer | undefined, hostname?: string): void
  step?(response: Buffer | undefined): void
}

class NoCredentialsMechanism implements ServerMechanism {
  outcome?: boolean
  username?: string
  constructor(private readonly fallbackName: string) {}
  start(response: Buffer | undefined): void {
    this.outcome = true
    this.username = response && response.length > 0 ? response.toString('utf8') : this.fallbackName
  }
}

/** `\0user\0password` (RFC 4616); authzid, if sent, is ignored. */
function plainFields(response: Buffer | undefined): [string, string] | undefined {
  if (!response) return undefined
  const fields = response.toString('utf8').split('\0')
  if (fields.length !== 3) return undefined
  return [fields[1], fields[2]]
}

class PlainKeyMechanism implements ServerMechanism {
  outcome?: boolean
  username?: string
  token?: VerifiedToken
  constructor(private readonly policies: NamespacePolicies) {}
  start(response: Buffer | undefined): void {
    const fields = plainFields(response)
    const rule =
      fields &&
      this.policies
        .list()
        .find(candidate => candidate.keyName === fields[0] && [candidate.primaryKey, candidate.secondaryKey].includes(fields[1]))
    this.outcome = rule !== undefined
    if (!rule) return
    this.username = rule.keyName
    this.token = {audiencePath: '', rights: new Set(rule.rights), expiresAtMs: Number.MAX_SAFE_INTEGER}
  }
}

/** The `sasl_server_mechanisms` object for rhea's container: mechanism name -> factory. */
export function serverMechanisms(policies: NamespacePolicies): Record<string, () => ServerMechanism> {
  return {
    MSSBCBS: () => new NoCredentialsMechanism('mssbcbs'),
    ANONYMOUS: () => new NoCredentialsMechanism('anonymous'),
    PLAIN: () => new PlainKeyMechanism(policies),
  }
}

/**
 * The namespace token a PLAIN handshake earned, if any. rhea keeps the chosen mechanism on the
 * connection's SASL server transport (inside a "selective" wrapper when non-SASL is allowed);
 * its typings expose neither.
 */
export function saslTokenOf(connection: Connection): VerifiedToken | undefined {
  type SaslServer = {mechanism?: ServerMechanism}
  const transport = (connection as unknown as {sasl_transport?: SaslServer & {transports?: Record<number, SaslServer>}}).sasl_transport
  const server = transport?.transports?.[3] ?? transport
  return server?.mechanism?.outcome ? server.mechanism.token : undefined
}
