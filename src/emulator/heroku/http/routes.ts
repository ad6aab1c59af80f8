// The links of the Platform API that the local server answers (test/fixtures/heroku/schema.json names
// them). `:app` is checked against the one local app before the handler runs.
import {accountInfo, appInfo, dynoSizeInfo, listDynoSizes} from '../handlers/account.js'
import type {Handler} from '../handlers/context.js'
import {createDyno, dynoInfo, listDynos, restartAll, restartDyno, restartFormation, stopDyno, stopFormation} from '../handlers/dynos.js'
import {batchUpdateFormation, formationInfo, listFormation, updateFormation} from '../handlers/formation.js'
import {createLogSession, streamLogSession} from '../handlers/log-sessions.js'
import {appFeatureInfo, listAddons, listAppFeatures, listCollaborators, pipelineCouplingInfo} from '../handlers/app-extras.js'
import {configVarsInfo, listReleases, releaseInfo, updateConfigVars} from '../handlers/config.js'

export interface Route {
  method: string
  pattern: RegExp
  names: string[]
  handler: Handler
  /** Served without the API's auth, version and rate-limit checks (the logplex stream). */
  raw?: boolean
}

function route(method: string, template: string, handler: Handler, raw = false): Route {
  const names: string[] = []
  const source = template.replace(/:(\w+)/g, (_match, name: string) => {
    names.push(name)
    return '([^/]+)'
  })
  return {method, pattern: new RegExp(`^${source}$`), names, handler, raw}
}

export const ROUTES: readonly Route[] = [
  route('GET', '/account', accountInfo),
  route('GET', '/apps/:app', appInfo),
  route('GET', '/apps/:app/config-vars', configVarsInfo),
  route('PATCH', '/apps/:app/config-vars', updateConfigVars),
  route('GET', '/apps/:app/releases', listReleases),
  route('GET', '/apps/:app/releases/:release', releaseInfo),
  route('GET', '/apps/:app/addons', listAddons),
  route('GET', '/apps/:app/collaborators', listCollaborators),
  route('GET', '/apps/:app/features', listAppFeatures),
  route('GET', '/apps/:app/features/:feature', appFeatureInfo),
  route('GET', '/apps/:app/pipeline-couplings', pipelineCouplingInfo),
  route('GET', '/apps/:app/formation', listFormation),
  route('PATCH', '/apps/:app/formation', batchUpdateFormation),
  route('GET', '/apps/:app/formation/:formation', formationInfo),
  route('PATCH', '/apps/:app/formation/:formation', updateFormation),
  route('GET', '/apps/:app/dynos', listDynos),
  route('POST', '/apps/:app/dynos', createDyno),
  route('DELETE', '/apps/:app/dynos', restartAll),
  route('GET', '/apps/:app/dynos/:dyno', dynoInfo),
  route('DELETE', '/apps/:app/dynos/:dyno', restartDyno),
  route('POST', '/apps/:app/dynos/:dyno/actions/stop', stopDyno),
  route('DELETE', '/apps/:app/formations/:type', restartFormation),
  route('POST', '/apps/:app/formations/:type/actions/stop', stopFormation),
  route('POST', '/apps/:app/log-sessions', createLogSession),
  route('GET', '/apps/:app/available-dyno-sizes', listDynoSizes),
  route('GET', '/dyno-sizes', listDynoSizes),
  route('GET', '/dyno-sizes/:size', dynoSizeInfo),
  route('GET', '/log-sessions/:session/stream', streamLogSession, true),
]

export function matchRoute(method: string, path: string): {route: Route; params: Record<string, string>} | undefined {
  for (const candidate of ROUTES) {
    if (candidate.method !== method) continue
    const match = candidate.pattern.exec(path)
    if (!match) continue
    const params: Record<string, string> = {}
    candidate.names.forEach((name, index) => (params[name] = decodeURIComponent(match[index + 1])))
    return {route: candidate, params}
  }
  return undefined
}
