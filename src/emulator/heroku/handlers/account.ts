// Account, app info and dyno sizes.
import {apiErrors} from '../api-error.js'
import {presentAccount, presentApp} from '../presenters.js'
import {DYNO_SIZES, findSize, presentSize} from '../sizes.js'
import type {ApiRequest, ApiResult, HandlerContext} from './context.js'

export function accountInfo(): ApiResult {
  return {body: presentAccount()}
}

export function appInfo(ctx: HandlerContext): ApiResult {
  return {body: presentApp(ctx.store.app, ctx.baseUrl)}
}

export function listDynoSizes(): ApiResult {
  return {list: DYNO_SIZES.map(presentSize), rangeFields: ['id', 'name']}
}

export function dynoSizeInfo(_ctx: HandlerContext, request: ApiRequest): ApiResult {
  const size = findSize(request.params.size)
  if (!size) throw apiErrors.notFound('dyno size')
  return {body: presentSize(size)}
}
