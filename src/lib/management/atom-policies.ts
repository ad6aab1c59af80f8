// Entity-level shared access rules over the ATOM API, for queues and topics alike: the client
// makes the keys, and the connection string is built from the endpoint the client used.
import type {AuthorizationRule} from '@azure/service-bus'

import type {ConnectionTarget} from '../servicebus/connection.js'
import {newKey} from './queue-spec.js'
import type {AccessRight} from './types.js'

/** A new entity-level SAS rule with fresh keys (the ATOM API takes the keys the client makes). */
export function newAuthorizationRule(name: string, rights: AccessRight[]): AuthorizationRule {
  return {
    claimType: 'SharedAccessKey',
    keyName: name,
    accessRights: rights,
    primaryKey: newKey(),
    secondaryKey: newKey(),
  }
}

/** The connection string of an entity-level rule, as the portal shows it. */
export function entityConnectionString(target: ConnectionTarget, rule: AuthorizationRule, entityPath: string): string {
  const emulator = target.kind === 'connection-string' && /UseDevelopmentEmulator=true/i.test(target.connectionString)
  return `Endpoint=${target.endpoint};SharedAccessKeyName=${rule.keyName};SharedAccessKey=${rule.primaryKey};EntityPath=${entityPath}${emulator ? ';UseDevelopmentEmulator=true' : ''}`
}
