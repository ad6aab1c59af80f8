// Validates Platform API exchanges against test/fixtures/heroku/schema.json (JSON Schema draft 4): the
// request body against the link's `schema`, a 2xx response against its `targetSchema`, an error
// response against the {id, message} shape; a request that matches no link is a violation too.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import ajvDraft04, {type ValidateFunction} from 'ajv-draft-04'
import ajvFormats from 'ajv-formats'

import type {ApiExchange} from '../../../src/emulator/heroku/index.js'
import {repoRoot} from '../../helpers/cli.js'

export const SCHEMA_PATH = join(repoRoot, 'test', 'fixtures', 'heroku', 'schema.json')

interface Link {
  method: string
  href: string
  schema?: unknown
  targetSchema?: unknown
  title?: string
}

interface SchemaDocument {
  id: string
  definitions: Record<string, {links?: Link[]}>
}

interface CompiledLink {
  resource: string
  title: string
  method: string
  pattern: RegExp
  /** Compiled on first use: compiling all of the schema's links takes seconds. */
  request: () => ValidateFunction | undefined
  response: () => ValidateFunction | undefined
}

function lazy(compile: () => ValidateFunction): () => ValidateFunction {
  let validate: ValidateFunction | undefined
  return () => (validate ??= compile())
}

const PREFERRED = ['formation', 'dyno', 'log-session', 'app', 'account', 'dyno-size']

let compiled: CompiledLink[] | undefined

function hrefPattern(href: string): RegExp {
  const source = href
    .split(/\{[^}]*\}/)
    .map(part => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
    .join('[^/]+')
  return new RegExp(`^${source}$`)
}

function links(): CompiledLink[] {
  if (compiled) return compiled
  // `example` values are data, but Ajv walks every key looking for draft-4 `id`s, and examples such
  // as {"id": "01234567-…"} would read as duplicate schema ids: drop them before compiling.
  // `strictProperties: true` (an interagent keyword) means no properties beyond those listed: it is
  // made a draft-4 `additionalProperties: false`, so an invented field in a response is caught.
  const document = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8'), (key, value: unknown) => {
    if (key === 'example') return undefined
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const schema = value as Record<string, unknown>
      if (schema.strictProperties === true && schema.properties && schema.additionalProperties === undefined)
        return {...schema, additionalProperties: false}
    }
    return value
  }) as SchemaDocument
  // CommonJS modules: under NodeNext the class and the plugin are their `default` property.
  const ajv = new ajvDraft04.default({strict: false, allErrors: true, validateSchema: false, unicodeRegExp: false})
  ajvFormats.default(ajv)
  ajv.addSchema(document as object)
  const base = document.id.replace(/#$/, '')
  const resources = [...PREFERRED, ...Object.keys(document.definitions).filter(name => !PREFERRED.includes(name))]
  compiled = []
  for (const resource of resources) {
    for (const [index, link] of (document.definitions[resource]?.links ?? []).entries()) {
      const pointer = `${base}#/definitions/${resource}/links/${index}`
      compiled.push({
        resource,
        title: link.title ?? '',
        method: link.method.toUpperCase(),
        pattern: hrefPattern(link.href),
        request: link.schema ? lazy(() => ajv.compile({$ref: `${pointer}/schema`})) : () => undefined,
        response: link.targetSchema ? lazy(() => ajv.compile({$ref: `${pointer}/targetSchema`})) : () => undefined,
      })
    }
  }
  return compiled
}

function describeErrors(validate: ValidateFunction): string {
  return (validate.errors ?? []).map(error => `${error.instancePath || '/'} ${error.message ?? ''}`).join('; ')
}

/** The violations of one exchange (empty when it follows the schema). */
export function validateExchange(exchange: ApiExchange): string[] {
  try {
    return check(exchange)
  } catch (error) {
    return [`${exchange.method} ${exchange.path}: the validator failed: ${(error as Error).message}`]
  }
}

function check(exchange: ApiExchange): string[] {
  const where = `${exchange.method} ${exchange.path} → ${exchange.status}`
  const link = links().find(candidate => candidate.method === exchange.method && candidate.pattern.test(exchange.path))
  const problems: string[] = []
  if (!link) return [`${where}: no link in the schema for this request`]
  if (!/version=3/.test(String(exchange.requestHeaders.accept ?? '')))
    problems.push(`${where}: request without "Accept: application/vnd.heroku+json; version=3"`)
  if (exchange.requestBody !== undefined) {
    const request = link.request()
    if (!request) problems.push(`${where}: a body was sent to ${link.resource} "${link.title}", which takes none`)
    else if (!request(exchange.requestBody))
      problems.push(`${where}: request body: ${describeErrors(request)} in ${JSON.stringify(exchange.requestBody)}`)
  }
  if (exchange.responseHeaders['RateLimit-Remaining'] === undefined) problems.push(`${where}: no RateLimit-Remaining header`)
  if (exchange.status >= 200 && exchange.status < 300) {
    const response = link.response()
    if (response && !response(exchange.responseBody)) problems.push(`${where}: response body: ${describeErrors(response)}`)
  } else {
    const body = exchange.responseBody as {id?: unknown; message?: unknown} | null
    if (typeof body?.id !== 'string' || typeof body.message !== 'string') problems.push(`${where}: error body is not {id, message}`)
  }
  return problems
}
