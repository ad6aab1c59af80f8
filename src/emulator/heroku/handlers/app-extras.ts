// What a personal app without extras answers: no add-ons, no collaborators, no app features, no
// pipeline (apps:info asks for all four).
import {apiErrors} from '../api-error.js'
import type {ApiResult} from './context.js'

export function listAddons(): ApiResult {
  return {list: [], rangeFields: ['id', 'name']}
}

export function listCollaborators(): ApiResult {
  return {list: [], rangeFields: ['id', 'email']}
}

export function listAppFeatures(): ApiResult {
  return {list: [], rangeFields: ['id', 'name']}
}

export function appFeatureInfo(): ApiResult {
  throw apiErrors.notFound('feature')
}

export function pipelineCouplingInfo(): ApiResult {
  throw apiErrors.notFound('pipeline coupling')
}
