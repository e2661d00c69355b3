import { invalidParam, RestError, restResponse } from './rest-response.js'
import type { WooState } from './state.js'
import type { ApiKeyRecord, WebhookRecord } from './types.js'

/** Everything a route handler gets. */
export interface RouteContext {
  state: WooState
  /** Scheme + host of the request: links and permalinks point there. */
  origin: string
  method: string
  url: URL
  query: URLSearchParams
  body: Record<string, unknown>
  /** Captured path segments (ids). */
  params: number[]
  key: ApiKeyRecord | null
  /** Send the unsigned `webhook_id=N` ping now (synchronously, inside the request). */
  ping(webhook: WebhookRecord): Promise<void>
  /** Ping only if the webhook is active and never got a 200 ping (what saving it does). */
  pingIfPending(webhook: WebhookRecord): Promise<void>
}

/** A route handler. */
export type Handler = (ctx: RouteContext) => Response | Promise<Response>

/** One REST route: a path pattern and its methods, as `register_rest_route` declares them. */
export interface Route {
  pattern: RegExp
  kind: 'collection' | 'item' | 'batch'
  handlers: Partial<Record<string, Handler>>
  /** Extra permission check after authentication (e.g. a variation must belong to its parent). */
  permission?: (ctx: RouteContext) => RestError | null
}

/** The Allow header of a route kind. */
export const ALLOW: Record<Route['kind'], string> = {
  collection: 'GET, POST',
  item: 'GET, POST, PUT, PATCH, DELETE',
  batch: 'POST, PUT, PATCH',
}

/** WordPress `rest_is_integer`: an integer, or a numeric string of one. */
export function asInteger(value: unknown): number | null {
  if (typeof value === 'number') return Number.isInteger(value) ? value : null
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
    const n = Number(value)
    return Number.isInteger(n) ? n : null
  }
  return null
}

/** PHP `intval` as `wc_stock_amount` applies it to unvalidated batch input ("abc" → 0, 2.5 → 2). */
export function phpIntval(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : 0
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'string') {
    const m = /^\s*([+-]?\d+)/.exec(value)
    return m?.[1] ? Number.parseInt(m[1], 10) : 0
  }
  return 0
}

/** WordPress `rest_sanitize_boolean` for validated input, or null when not a boolean. */
export function asBoolean(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value
  if (value === 1 || value === '1' || value === 'true') return true
  if (value === 0 || value === '0' || value === 'false' || value === '') return false
  return null
}

/** Validate an integer param (in the body or the query) with WordPress's messages. */
export function integerParam(
  name: string,
  raw: unknown,
  bounds: { min?: number; max?: number } = {},
): number | undefined {
  if (raw === undefined || raw === null) return undefined
  const n = asInteger(raw)
  if (n === null) {
    throw invalidParam(name, 'rest_invalid_type', `${name} is not of type integer.`, { param: name })
  }
  const { min, max } = bounds
  if (min !== undefined && max !== undefined && (n < min || n > max)) {
    const msg = `${name} must be between ${min} (inclusive) and ${max} (inclusive)`
    throw invalidParam(name, 'rest_out_of_bounds', msg, null)
  }
  if (min !== undefined && max === undefined && n < min) {
    throw invalidParam(name, 'rest_out_of_bounds', `${name} must be greater than or equal to ${min}`, null)
  }
  return n
}

/** Parse a WordPress date filter; a value without a zone is in the site timezone (UTC here). */
export function dateParam(name: string, raw: string | null): Date | undefined {
  if (raw === null || raw === '') return undefined
  const hasZone = /(Z|[+-]\d\d:?\d\d)$/i.test(raw)
  const date = new Date(hasZone ? raw : `${raw}Z`)
  if (Number.isNaN(date.getTime()))
    throw invalidParam(name, 'rest_invalid_date', 'Invalid date.', { param: name })
  return date
}

/** Sort by date (desc by default) with ties in insertion order, as recorded on WooCommerce 10. */
export function sortByDate<T extends { id: number }>(
  items: T[],
  date: (item: T) => Date,
  query: URLSearchParams,
): T[] {
  const order = query.get('order') === 'asc' ? 1 : -1
  const orderby = query.get('orderby') ?? 'date'
  return [...items].sort((a, b) => {
    if (orderby === 'id') return (a.id - b.id) * order
    const d = Math.floor(date(a).getTime() / 1000) - Math.floor(date(b).getTime() / 1000)
    return d !== 0 ? d * order : a.id - b.id
  })
}

/** Compare at second precision (WordPress stores seconds): strictly after. */
export function modifiedAfter(date: Date, after: Date | undefined): boolean {
  return after === undefined || Math.floor(date.getTime() / 1000) > Math.floor(after.getTime() / 1000)
}

/** Strictly before, at second precision. */
export function modifiedBefore(date: Date, before: Date | undefined): boolean {
  return before === undefined || Math.floor(date.getTime() / 1000) < Math.floor(before.getTime() / 1000)
}

/** Read and validate `page` / `per_page`. */
export function pageParams(ctx: RouteContext): { page: number; perPage: number } {
  const perPage = integerParam('per_page', ctx.query.get('per_page') ?? undefined, { min: 1, max: 100 }) ?? 10
  const page = integerParam('page', ctx.query.get('page') ?? undefined, { min: 1 }) ?? 1
  return { page, perPage }
}

/**
 * A paginated list response: `X-WP-Total`, `X-WP-TotalPages`, and `Link` with `prev`/`next` only
 * (built from the request's own query, OAuth parameters included, as WordPress does).
 */
export function listResponse<T>(ctx: RouteContext, items: T[], render: (item: T) => unknown): Response {
  const { page, perPage } = pageParams(ctx)
  const total = items.length
  const totalPages = Math.ceil(total / perPage)
  const slice = items.slice((page - 1) * perPage, page * perPage)
  const link = (p: number): string => {
    const q = new URLSearchParams(ctx.query)
    q.set('page', String(p))
    return `${ctx.origin}${ctx.url.pathname}?${q.toString()}`
  }
  const links: string[] = []
  if (page > 1) links.push(`<${link(Math.min(page - 1, totalPages))}>; rel="prev"`)
  if (totalPages > page) links.push(`<${link(page + 1)}>; rel="next"`)
  return restResponse(ctx.origin, 200, slice.map(render), {
    'x-wp-total': String(total),
    'x-wp-totalpages': String(totalPages),
    link: links.length > 0 ? links.join(', ') : undefined,
    allow: ALLOW.collection,
  })
}

/** The body member `name` when it is a string. */
export function str(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name]
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined
}

/** A route-level "Invalid ID." error. */
export function invalidId(kind: string, status: number): RestError {
  return new RestError(`woocommerce_rest_${kind}_invalid_id`, 'Invalid ID.', status)
}

/** True for a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The entries of a JSON array member as objects; anything that is not an object becomes `{}`. */
export function objects(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value) ? value.map((v) => (isObject(v) ? v : {})) : []
}
