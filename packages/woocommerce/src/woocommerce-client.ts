import { ConfigError } from '@hub/core'
import ky, { isNetworkError, isTimeoutError } from 'ky'
import type { z } from 'zod'
import { toWooGmt } from './woocommerce-dates.js'
import { errorFromResponse, WooRequestError, WooRetryableError } from './woocommerce-errors.js'
import { type OAuthSignatureMethod, rfc3986, signOAuth1Url, type WooKeys } from './woocommerce-oauth1.js'
import {
  type WooOrder,
  type WooOrderNote,
  type WooProduct,
  type WooRefund,
  type WooWebhook,
  type WooWebhookStatus,
  wooBatchResponseSchema,
  wooOrderNoteSchema,
  wooOrderSchema,
  wooProductSchema,
  wooRefundSchema,
  wooWebhookSchema,
} from './woocommerce-schemas.js'
import { parseStoreUrl, type StoreUrlPolicy } from './woocommerce-url.js'

/**
 * How requests authenticate.
 * - `basic`: HTTP Basic (key:secret). HTTPS only.
 * - `query`: `consumer_key`/`consumer_secret` in the query string, for hosts that strip the
 *   `Authorization` header (Apache CGI/FastCGI). HTTPS only.
 * - `oauth1`: one-legged OAuth 1.0a in the query; what WooCommerce requires over plain HTTP. On
 *   an `https` store URL it is for sites behind a TLS proxy that WordPress does not recognise
 *   (`is_ssl()` false: Basic is ignored there), so the signature base uses `http://` as
 *   WooCommerce computes it.
 * - `auto` (default): `basic` on https, `oauth1` on http.
 */
export type WooAuthMode = 'auto' | 'basic' | 'query' | 'oauth1'

/** Options of {@link createWooClient}. */
export interface WooClientOptions {
  /** The store's home URL. Checked with {@link parseStoreUrl} under `policy`. */
  storeUrl: string
  keys: WooKeys
  auth?: WooAuthMode
  /** Default `HMAC-SHA256`. */
  oauthSignatureMethod?: OAuthSignatureMethod
  /** URL policy (https and public addresses by default). */
  policy?: StoreUrlPolicy
  /** Per-request timeout in ms (default 30 000). ky's own retries are off: the engine retries. */
  timeoutMs?: number
  /** A fetch to use instead of the global one (e.g. bound to a connection-pinning agent). */
  fetch?: typeof fetch
  userAgent?: string
  /** Clock for OAuth timestamps, in ms. */
  now?: () => number
}

/** Query values; `undefined` drops the parameter. */
export type WooQuery = Record<string, string | number | boolean | undefined>

/** One page of a collection. */
export interface WooPage<T> {
  items: T[]
  page: number
  /** `X-WP-Total`, or `null` when the store did not send it. */
  total: number | null
  /** `X-WP-TotalPages`, or `null` when the store did not send it. */
  totalPages: number | null
  /** The store's clock (`Date` header) when it answered, for watermarks; `null` when absent. */
  serverDate: Date | null
}

/** Options of the collection iterators. */
export interface WooListOptions {
  /** 1 to 100 (WooCommerce's maximum); default 100. */
  perPage?: number
  /** First page to read (resume from a checkpoint). Default 1. */
  startPage?: number
  /** Extra filters (`status`, `sku`, `_fields`, …). */
  query?: WooQuery
  signal?: AbortSignal
}

/** A stock write in a batch. */
export interface StockUpdate {
  id: number
  quantity: number
}

/** Outcome of {@link WooClient.batchUpdateStock}: per item, since WooCommerce batches are not transactional. */
export interface BatchStockResult {
  updated: WooProduct[]
  failed: Array<{ id: number; code: string; message: string; status: number | null }>
}

/** Fields of a webhook to create or update. */
export interface WooWebhookInput {
  name?: string
  topic?: string
  deliveryUrl?: string
  /** Always send your own: a generated one cannot be read back. */
  secret?: string
  status?: WooWebhookStatus
}

const API_PREFIX = 'wp-json/wc/v3/'
/** Product meta key holding the idempotency key of the last stock push (hidden: leading underscore). */
export const STOCK_PUSH_META = '_hub_stock_push'
const MAX_PER_PAGE = 100
const MAX_BATCH = 100

/**
 * The wc/v3 REST client. Every failure is typed: {@link WooRequestError} (permanent; 401/403 as
 * `WOO_AUTH_FAILED`) or {@link WooRetryableError} (429, 5xx, timeouts, network). Redirects are
 * not followed (a redirect could downgrade to http or point at another host with our keys).
 */
export interface WooClient {
  /** The normalized store URL requests go to. */
  readonly storeUrl: string
  /** The resolved auth mode (never `auto`). */
  readonly authMode: Exclude<WooAuthMode, 'auto'>
  /** Whether the keys work: `true` on 200, `false` when the store refuses them (401/403). */
  ping(signal?: AbortSignal): Promise<boolean>
  getProduct(id: number, signal?: AbortSignal): Promise<WooProduct>
  getVariation(productId: number, variationId: number, signal?: AbortSignal): Promise<WooProduct>
  listProducts(page: number, options?: WooListOptions): Promise<WooPage<WooProduct>>
  /** All products (parents only: variations are not listed), page by page. */
  products(options?: WooListOptions & { modifiedAfter?: Date }): AsyncGenerator<WooPage<WooProduct>>
  variations(
    productId: number,
    options?: WooListOptions & { modifiedAfter?: Date },
  ): AsyncGenerator<WooPage<WooProduct>>
  /**
   * Absolute stock write on a product, or on a variation when `parentId` is given. `marker` is
   * saved in the same request as product meta {@link STOCK_PUSH_META}, so a later read can tell
   * whether this very write landed.
   */
  setStock(
    target: { id: number; parentId?: number | null },
    quantity: number,
    options?: { signal?: AbortSignal; marker?: string },
  ): Promise<WooProduct>
  /** Stock writes in batches of ≤ 100; per-item errors are returned, not thrown. */
  batchUpdateStock(
    updates: StockUpdate[],
    options?: { parentId?: number; signal?: AbortSignal },
  ): Promise<BatchStockResult>
  getOrder(id: number, signal?: AbortSignal): Promise<WooOrder>
  /** Orders page by page; `product` keeps orders with a line for that product (a variation's parent). */
  orders(
    options?: WooListOptions & { modifiedAfter?: Date; status?: string; product?: number },
  ): AsyncGenerator<WooPage<WooOrder>>
  orderRefunds(orderId: number, signal?: AbortSignal): Promise<WooRefund[]>
  orderNotes(orderId: number, signal?: AbortSignal): Promise<WooOrderNote[]>
  listWebhooks(status?: WooWebhookStatus | 'all', signal?: AbortSignal): Promise<WooWebhook[]>
  getWebhook(id: number, signal?: AbortSignal): Promise<WooWebhook>
  createWebhook(
    input: WooWebhookInput & { topic: string; deliveryUrl: string; secret: string },
  ): Promise<WooWebhook>
  updateWebhook(id: number, patch: WooWebhookInput): Promise<WooWebhook>
  deleteWebhook(id: number): Promise<WooWebhook>
  /** Low-level JSON request against `wp-json/wc/v3/<path>`, parsed with `schema`. */
  request<T>(
    method: string,
    path: string,
    options: { schema: z.ZodType<T>; query?: WooQuery; json?: unknown; signal?: AbortSignal },
  ): Promise<{ data: T; headers: Headers; status: number }>
}

/** Create a client. Throws `ConfigError` / `WooUrlError` for an unsafe combination (keys over plain HTTP). */
export function createWooClient(options: WooClientOptions): WooClient {
  const storeUrl = parseStoreUrl(options.storeUrl, options.policy)
  const https = storeUrl.startsWith('https:')
  const requested = options.auth ?? 'auto'
  const authMode: Exclude<WooAuthMode, 'auto'> =
    requested === 'auto' ? (https ? 'basic' : 'oauth1') : requested
  if (!https && authMode !== 'oauth1') {
    throw new ConfigError(
      `auth "${authMode}" would send the WooCommerce keys in clear text over http; use https or oauth1`,
    )
  }
  if (!options.keys?.consumerKey || !options.keys?.consumerSecret) {
    throw new ConfigError('WooCommerce consumer key and secret are required')
  }
  const keys = options.keys
  const now = options.now ?? Date.now
  const http = ky.create({
    retry: 0,
    timeout: options.timeoutMs ?? 30_000,
    throwHttpErrors: false,
    redirect: 'manual',
    ...(options.fetch ? { fetch: options.fetch } : {}),
    headers: { accept: 'application/json', 'user-agent': options.userAgent ?? '@hub/woocommerce' },
  })

  function buildUrl(
    method: string,
    path: string,
    query: WooQuery | undefined,
  ): { url: string; auth?: string } {
    const pairs: string[] = []
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined) pairs.push(`${rfc3986(k)}=${rfc3986(String(v))}`)
    }
    if (authMode === 'query') {
      pairs.push(
        `consumer_key=${rfc3986(keys.consumerKey)}`,
        `consumer_secret=${rfc3986(keys.consumerSecret)}`,
      )
    }
    const plain = `${storeUrl}${API_PREFIX}${path.replace(/^\/+/, '')}${pairs.length ? `?${pairs.join('&')}` : ''}`
    const url = new URL(plain)
    // Defence in depth: keys never leave over anything but the store's own origin, and only
    // OAuth (which sends no secret) may use http.
    if (url.origin !== new URL(storeUrl).origin || (url.protocol !== 'https:' && authMode !== 'oauth1')) {
      throw new ConfigError('refusing to send WooCommerce credentials to this URL')
    }
    if (authMode === 'oauth1') {
      const signed = signOAuth1Url({
        method,
        url,
        keys,
        signatureMethod: options.oauthSignatureMethod ?? 'HMAC-SHA256',
        timestamp: Math.floor(now() / 1000),
        ...(https ? { baseScheme: 'http' as const } : {}),
      })
      return { url: signed.href }
    }
    if (authMode === 'basic') {
      const token = Buffer.from(`${keys.consumerKey}:${keys.consumerSecret}`).toString('base64')
      return { url: url.href, auth: `Basic ${token}` }
    }
    return { url: url.href }
  }

  async function request<T>(
    method: string,
    path: string,
    opts: { schema: z.ZodType<T>; query?: WooQuery; json?: unknown; signal?: AbortSignal },
  ): Promise<{ data: T; headers: Headers; status: number }> {
    const verb = method.toUpperCase()
    const label = `${verb} /${API_PREFIX}${path.replace(/^\/+/, '').split('?')[0]}`
    const { url, auth } = buildUrl(verb, path, opts.query)
    let response: Response
    try {
      response = await http(url, {
        method: verb,
        ...(opts.json !== undefined ? { json: opts.json } : {}),
        ...(auth ? { headers: { authorization: auth } } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
      })
    } catch (cause) {
      if (isTimeoutError(cause)) {
        throw new WooRetryableError({
          code: 'WOO_TIMEOUT',
          message: `${label} timed out`,
          status: 0,
          wooCode: null,
          request: label,
          cause: sanitizedCause(cause),
        })
      }
      if (opts.signal?.aborted) throw cause
      const detail = isNetworkError(cause) ? 'network error' : 'request failed'
      throw new WooRetryableError({
        code: 'WOO_NETWORK',
        message: `${label}: ${detail}`,
        status: 0,
        wooCode: null,
        request: label,
        cause: sanitizedCause(cause),
      })
    }
    const body = await readText(response, label)
    if (response.status < 200 || response.status >= 300) {
      throw errorFromResponse({
        status: response.status,
        body,
        retryAfter: response.headers.get('retry-after'),
        request: label,
      })
    }
    let json: unknown
    try {
      json = JSON.parse(body)
    } catch (cause) {
      throw new WooRetryableError({
        code: 'WOO_BAD_RESPONSE',
        message: `${label} answered ${response.status} with a body that is not JSON`,
        status: response.status,
        wooCode: null,
        request: label,
        cause,
      })
    }
    const parsed = opts.schema.safeParse(json)
    if (!parsed.success) {
      throw new WooRequestError({
        code: 'WOO_UNEXPECTED_RESPONSE',
        message: `${label} answered a body of an unexpected shape: ${parsed.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join('.')} ${i.message}`)
          .join('; ')}`,
        status: response.status,
        wooCode: null,
        request: label,
      })
    }
    return { data: parsed.data, headers: response.headers, status: response.status }
  }

  async function listPage<T>(
    path: string,
    schema: z.ZodType<T>,
    page: number,
    options: WooListOptions = {},
  ): Promise<WooPage<T>> {
    const perPage = options.perPage ?? MAX_PER_PAGE
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE) {
      throw new ConfigError(`per_page must be an integer from 1 to ${MAX_PER_PAGE}`)
    }
    if (!Number.isInteger(page) || page < 1) throw new ConfigError('page must be a positive integer')
    const { data, headers } = await request('GET', path, {
      schema: schema.array(),
      query: { ...options.query, per_page: perPage, page },
      ...(options.signal ? { signal: options.signal } : {}),
    })
    return {
      items: data,
      page,
      total: intHeader(headers, 'x-wp-total'),
      totalPages: intHeader(headers, 'x-wp-totalpages'),
      serverDate: dateHeader(headers),
    }
  }

  /**
   * Pages are counted from `X-WP-TotalPages` rather than by following `Link`: over OAuth the
   * `Link` URLs echo our oauth_* parameters (recorded), and page numbers are what a checkpoint
   * stores. Stops at the last page, on an empty page, or on a short page when totals are missing.
   */
  async function* paginate<T>(path: string, schema: z.ZodType<T>, options: WooListOptions = {}) {
    let page = options.startPage ?? 1
    for (;;) {
      const result = await listPage(path, schema, page, options)
      if (result.items.length === 0) return
      yield result
      const perPage = options.perPage ?? MAX_PER_PAGE
      if (result.totalPages !== null ? page >= result.totalPages : result.items.length < perPage) return
      page += 1
    }
  }

  function modifiedQuery(options: { modifiedAfter?: Date; query?: WooQuery } | undefined): WooQuery {
    const query: WooQuery = { ...options?.query }
    if (options?.modifiedAfter) {
      query.modified_after = toWooGmt(options.modifiedAfter)
      query.dates_are_gmt = true
      // Order by id, not by date: an item modified during the walk keeps its place, so the
      // pages do not shift under us and nothing is skipped.
      query.orderby ??= 'id'
      query.order ??= 'asc'
    }
    return query
  }

  function checkQuantity(quantity: number): void {
    // A batch silently stores 0 for a non-integer (recorded), so never let one through.
    if (!Number.isSafeInteger(quantity))
      throw new ConfigError(`stock quantity must be an integer, got ${quantity}`)
  }

  const client: WooClient = {
    storeUrl,
    authMode,
    async ping(signal) {
      try {
        await request('GET', 'products', {
          schema: wooProductSchema.pick({ id: true }).array(),
          query: { per_page: 1, _fields: 'id' },
          ...(signal ? { signal } : {}),
        })
        return true
      } catch (error) {
        if (error instanceof WooRequestError && error.isAuth) return false
        throw error
      }
    },
    async getProduct(id, signal) {
      return (await request('GET', `products/${int(id)}`, { schema: wooProductSchema, ...sig(signal) })).data
    },
    async getVariation(productId, variationId, signal) {
      const path = `products/${int(productId)}/variations/${int(variationId)}`
      return (await request('GET', path, { schema: wooProductSchema, ...sig(signal) })).data
    },
    listProducts: (page, options) => listPage('products', wooProductSchema, page, options),
    products: (options) =>
      paginate('products', wooProductSchema, { ...options, query: modifiedQuery(options) }),
    variations: (productId, options) =>
      paginate(`products/${int(productId)}/variations`, wooProductSchema, {
        ...options,
        query: modifiedQuery(options),
      }),
    async setStock(target, quantity, options = {}) {
      checkQuantity(quantity)
      const path = target.parentId
        ? `products/${int(target.parentId)}/variations/${int(target.id)}`
        : `products/${int(target.id)}`
      const body: Record<string, unknown> = { stock_quantity: quantity }
      if (options.marker) body.meta_data = [{ key: STOCK_PUSH_META, value: options.marker }]
      return (await request('PUT', path, { schema: wooProductSchema, json: body, ...sig(options.signal) }))
        .data
    },
    async batchUpdateStock(updates, options = {}) {
      for (const u of updates) {
        int(u.id)
        checkQuantity(u.quantity)
      }
      const path = options.parentId ? `products/${int(options.parentId)}/variations/batch` : 'products/batch'
      const result: BatchStockResult = { updated: [], failed: [] }
      for (let i = 0; i < updates.length; i += MAX_BATCH) {
        const chunk = updates.slice(i, i + MAX_BATCH)
        const { data } = await request('POST', path, {
          schema: wooBatchResponseSchema,
          json: { update: chunk.map((u) => ({ id: u.id, stock_quantity: u.quantity })) },
          ...sig(options.signal),
        })
        for (const entry of data.update) {
          if ('error' in entry) {
            result.failed.push({
              id: entry.id,
              code: entry.error.code,
              message: entry.error.message,
              status: entry.error.data?.status ?? null,
            })
          } else {
            result.updated.push(entry)
          }
        }
      }
      return result
    },
    async getOrder(id, signal) {
      return (await request('GET', `orders/${int(id)}`, { schema: wooOrderSchema, ...sig(signal) })).data
    },
    orders: (options) => {
      const query = modifiedQuery(options)
      if (options?.status) query.status = options.status
      if (options?.product !== undefined) query.product = int(options.product)
      return paginate('orders', wooOrderSchema, { ...options, query })
    },
    async orderRefunds(orderId, signal) {
      const path = `orders/${int(orderId)}/refunds`
      return (await request('GET', path, { schema: wooRefundSchema.array(), ...sig(signal) })).data
    },
    async orderNotes(orderId, signal) {
      const path = `orders/${int(orderId)}/notes`
      return (await request('GET', path, { schema: wooOrderNoteSchema.array(), ...sig(signal) })).data
    },
    async listWebhooks(status = 'all', signal) {
      const all: WooWebhook[] = []
      for await (const page of paginate('webhooks', wooWebhookSchema, {
        query: { status },
        ...sig(signal),
      })) {
        all.push(...page.items)
      }
      return all
    },
    async getWebhook(id, signal) {
      return (await request('GET', `webhooks/${int(id)}`, { schema: wooWebhookSchema, ...sig(signal) })).data
    },
    async createWebhook(input) {
      if (!input.secret)
        throw new ConfigError('a webhook needs its own secret (a generated one cannot be read back)')
      return (await request('POST', 'webhooks', { schema: wooWebhookSchema, json: webhookBody(input) })).data
    },
    async updateWebhook(id, patch) {
      return (
        await request('PUT', `webhooks/${int(id)}`, { schema: wooWebhookSchema, json: webhookBody(patch) })
      ).data
    },
    async deleteWebhook(id) {
      // Without force=true WooCommerce answers 501 woocommerce_rest_trash_not_supported.
      const path = `webhooks/${int(id)}`
      return (await request('DELETE', path, { schema: wooWebhookSchema, query: { force: true } })).data
    },
    request,
  }
  return client
}

/**
 * ky and undici errors carry the request URL, which holds the keys in `query` mode: keep only
 * the error's name and system code (e.g. `ECONNREFUSED`) as the cause.
 */
function sanitizedCause(cause: unknown): Error {
  const name = cause instanceof Error ? cause.name : 'Error'
  const inner = cause instanceof Error ? (cause.cause as { code?: unknown } | undefined) : undefined
  const code = typeof inner?.code === 'string' ? ` (${inner.code})` : ''
  return new Error(`${name}${code}`)
}

function webhookBody(input: WooWebhookInput): Record<string, string> {
  const body: Record<string, string> = {}
  if (input.name !== undefined) body.name = input.name
  if (input.topic !== undefined) body.topic = input.topic
  if (input.deliveryUrl !== undefined) body.delivery_url = input.deliveryUrl
  if (input.secret !== undefined) body.secret = input.secret
  if (input.status !== undefined) body.status = input.status
  return body
}

function sig(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {}
}

function int(id: number): number {
  if (!Number.isSafeInteger(id) || id <= 0)
    throw new ConfigError(`WooCommerce ids are positive integers, got ${id}`)
  return id
}

function dateHeader(headers: Headers): Date | null {
  const value = headers.get('date')
  if (!value) return null
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? null : date
}

function intHeader(headers: Headers, name: string): number | null {
  const value = headers.get(name)
  if (value === null || !/^\d+$/.test(value.trim())) return null
  return Number(value)
}

async function readText(response: Response, label: string): Promise<string> {
  try {
    return await response.text()
  } catch (cause) {
    throw new WooRetryableError({
      code: 'WOO_NETWORK',
      message: `${label}: the response body could not be read`,
      status: response.status,
      wooCode: null,
      request: label,
      cause,
    })
  }
}
