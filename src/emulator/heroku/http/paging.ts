// List paging as the Platform API does it: `Range: <field> [start]..[end]; max=N[, order=desc]`;
// a truncated page is a 206 with `Next-Range: ]<last value>..; max=N`.
import {ApiError} from '../api-error.js'
import {DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE} from '../constants.js'

export interface RangeRequest {
  field: string
  start?: string
  exclusive: boolean
  max: number
  descending: boolean
}

const RANGE = /^\s*([a-z_]+)\s*(\]?)([^.;]*)\.\.([^;]*)(?:;\s*(.*))?$/

export function parseRange(header: string | undefined, fields: readonly string[], pageSize = DEFAULT_PAGE_SIZE): RangeRequest {
  const fallback: RangeRequest = {field: fields[0], exclusive: false, max: Math.min(pageSize, MAX_PAGE_SIZE), descending: false}
  if (header === undefined || header.trim() === '') return fallback
  const match = RANGE.exec(header)
  if (!match) throw new ApiError(400, 'bad_request', `Invalid Range header: ${header}`)
  const [, field, exclusive, start, , options = ''] = match
  if (!fields.includes(field)) throw new ApiError(400, 'bad_request', `Invalid Range field "${field}": use one of ${fields.join(', ')}.`)
  const range: RangeRequest = {field, start: start.trim() || undefined, exclusive: exclusive === ']', max: fallback.max, descending: false}
  for (const option of options.split(/[,;]/)) {
    const [key, value] = option.split('=').map(part => part.trim())
    if (key === 'max') {
      const max = Number(value)
      if (!Number.isInteger(max) || max < 1) throw new ApiError(400, 'bad_request', `Invalid Range max "${value}".`)
      range.max = Math.min(max, pageSize, MAX_PAGE_SIZE)
    } else if (key === 'order') {
      range.descending = value === 'desc'
    }
  }
  return range
}

/** One page of items sorted by the range field, and the Next-Range header when more remain. */
export function pageOf<T extends Record<string, unknown>>(items: readonly T[], range: RangeRequest): {page: T[]; nextRange?: string} {
  const key = (item: T) => String(item[range.field] ?? '')
  const compare = (a: string, b: string) => a.localeCompare(b, 'en', {numeric: true})
  const sorted = [...items].sort((a, b) => (range.descending ? -1 : 1) * compare(key(a), key(b)))
  const after = sorted.filter(item => {
    if (range.start === undefined) return true
    const order = (range.descending ? -1 : 1) * compare(key(item), range.start)
    return range.exclusive ? order > 0 : order >= 0
  })
  const page = after.slice(0, range.max)
  if (after.length <= range.max) return {page}
  const last = key(page[page.length - 1])
  const order = range.descending ? ', order=desc' : ''
  return {page, nextRange: `${range.field} ]${last}..; max=${range.max}${order}`}
}
