// The $cbs put-token exchange: the token is verified for real (signature, expiry, key name) and
// kept for the connection; links are then allowed by what the tokens cover and grant.
import type {EventContext} from 'rhea'

import {SasError, verifySasToken} from '../auth/sas-token.js'
import type {NamespacePolicies} from '../auth/namespace-policies.js'
import type {EmulatorLogger} from '../logger.js'
import {connectionState} from './connection-state.js'
import {acceptRequest, replyTo} from './request-reply.js'

export interface CbsDependencies {
  policies: NamespacePolicies
  logger: EmulatorLogger
  now: () => number
}

export function handleCbsRequest(context: EventContext, deps: CbsDependencies): void {
  const request = context.message!
  acceptRequest(context.delivery)
  const state = connectionState(context.connection)
  const properties = (request.application_properties ?? {}) as Record<string, unknown>
  let status = 202
  let description = 'Accepted'
  if (properties.operation !== 'put-token') {
    status = 400
    description = `Unsupported $cbs operation '${String(properties.operation)}'.`
  } else {
    try {
      const token = verifySasToken(String(request.body), (keyName, path) => deps.policies.rulesFor(keyName, path), deps.now())
      state.tokens.put(token)
      state.watchExpiry(deps.now)
      deps.logger.debug(`cbs: token accepted for '${token.audiencePath || '/'}'`)
    } catch (error) {
      status = error instanceof SasError ? error.statusCode : 500
      description = error instanceof Error ? error.message : String(error)
      deps.logger.info(`cbs: put-token for '${String(properties.name)}' refused: ${description}`)
    }
  }
  replyTo(state, request, {application_properties: {'status-code': status, 'status-description': description}}, deps.logger)
}
