// Config vars and releases. A change of config vars is a new release and restarts the formation's
// dynos (one-off dynos keep running), as on the platform.
import {apiErrors} from '../api-error.js'
import {presentRelease} from '../presenters.js'
import type {ApiRequest, ApiResult, HandlerContext} from './context.js'

export function configVarsInfo(ctx: HandlerContext): ApiResult {
  return {body: ctx.store.config.current()}
}

export function updateConfigVars(ctx: HandlerContext, request: ApiRequest): ApiResult {
  const release = ctx.store.config.update(request.body)
  if (release) {
    ctx.store.released(release)
    ctx.logs.append('app', 'api', `${release.description} by user ${ctx.store.ownerEmail}`)
    ctx.logs.append('app', 'api', `Release v${release.version} created by user ${ctx.store.ownerEmail}`)
    ctx.supervisor.restartFormation('Restarting (config vars changed)')
  }
  return {body: ctx.store.config.current()}
}

export function listReleases(ctx: HandlerContext): ApiResult {
  const latest = ctx.store.config.latest
  return {
    list: ctx.store.config.releases.map(release => presentRelease(ctx.store.app, release, release === latest)),
    rangeFields: ['version', 'id'],
  }
}

export function releaseInfo(ctx: HandlerContext, request: ApiRequest): ApiResult {
  const release = ctx.store.config.findRelease(request.params.release)
  if (!release) throw apiErrors.notFound('release')
  return {body: presentRelease(ctx.store.app, release, release === ctx.store.config.latest)}
}
