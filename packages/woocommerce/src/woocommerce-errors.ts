import { PermanentError, RetryableError } from '@hub/core'
import { wpErrorSchema } from './woocommerce-schemas.js'

/** What went wrong, as the store said it. Never contains credentials (no query strings, no headers). */
interface WooErrorDetails {
  /** HTTP status, 0 when no response arrived. */
  status: number
  /** WordPress/WooCommerce error code (e.g. `woocommerce_rest_product_invalid_id`), when the body had one. */
  wooCode: string | null
  /** `METHOD /path` of the request, without the query. */
  request: string
}

/**
 * A request the store refused and that retrying cannot fix. `code` is `WOO_AUTH_FAILED` for
 * 401/403 (bad or deleted key, missing permission, header stripped by the host), otherwise the
 * store's own code (`woocommerce_rest_product_invalid_id`, `rest_invalid_param`, …) or
 * `WOO_HTTP_<status>` when the body was not a WordPress error.
 */
export class WooRequestError extends PermanentError implements WooErrorDetails {
  readonly status: number
  readonly wooCode: string | null
  readonly request: string
  constructor(details: WooErrorDetails & { code: string; message: string }) {
    super(details.code, details.message)
    this.status = details.status
    this.wooCode = details.wooCode
    this.request = details.request
  }
  /** Whether the store refused the credentials (401/403). */
  get isAuth(): boolean {
    return this.code === 'WOO_AUTH_FAILED'
  }
}

/**
 * A failure worth retrying: `WOO_THROTTLED` (429), `WOO_SERVER_ERROR` (5xx, 408), `WOO_TIMEOUT`,
 * `WOO_NETWORK`, `WOO_BAD_RESPONSE` (a 2xx that is not JSON, e.g. a WAF page). `retryAfterMs`
 * carries the store's `Retry-After`.
 */
export class WooRetryableError extends RetryableError implements WooErrorDetails {
  readonly status: number
  readonly wooCode: string | null
  readonly request: string
  constructor(
    details: WooErrorDetails & {
      code: string
      message: string
      retryAfterMs?: number | undefined
      cause?: unknown
    },
  ) {
    super(details.code, details.message, { retryAfterMs: details.retryAfterMs, cause: details.cause })
    this.status = details.status
    this.wooCode = details.wooCode
    this.request = details.request
  }
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; `undefined` when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}

/** Parse a WordPress REST error body; `null` when the body is not one. */
export function parseWpError(body: string): { code: string; message: string } | null {
  try {
    const parsed = wpErrorSchema.safeParse(JSON.parse(body))
    return parsed.success ? { code: parsed.data.code, message: parsed.data.message } : null
  } catch {
    return null
  }
}

/** Turn a non-2xx response into the typed error the engine understands. */
export function errorFromResponse(input: {
  status: number
  body: string
  retryAfter: string | null
  request: string
}): WooRequestError | WooRetryableError {
  const { status, request } = input
  const wp = parseWpError(input.body)
  const wooCode = wp?.code ?? null
  const said = wp ? `${wp.code}: ${wp.message}` : `HTTP ${status}`
  if (status === 429 || status === 408 || status >= 500) {
    return new WooRetryableError({
      code: status === 429 ? 'WOO_THROTTLED' : 'WOO_SERVER_ERROR',
      message: `${request} failed with ${status} (${said})`,
      status,
      wooCode,
      request,
      retryAfterMs: parseRetryAfter(input.retryAfter),
    })
  }
  if (status === 401 || status === 403) {
    return new WooRequestError({
      code: 'WOO_AUTH_FAILED',
      message: `${request} was refused with ${status} (${said})`,
      status,
      wooCode,
      request,
    })
  }
  if (status >= 300 && status < 400) {
    return new WooRequestError({
      code: 'WOO_REDIRECT',
      message: `${request} was redirected (${status}); use the store's canonical URL (scheme, www) instead`,
      status,
      wooCode,
      request,
    })
  }
  return new WooRequestError({
    code: wooCode ?? `WOO_HTTP_${status}`,
    message: `${request} was rejected with ${status} (${said})`,
    status,
    wooCode,
    request,
  })
}
