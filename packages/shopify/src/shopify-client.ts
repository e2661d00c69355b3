import {
  type Clock,
  ConfigError,
  type Logger,
  PermanentError,
  RetryableError,
  silentLogger,
  systemClock,
} from '@hub/core'
import ky, { isTimeoutError } from 'ky'
import { z } from 'zod'
import {
  CostPacer,
  type QueryCost,
  queryCostSchema,
  type ThrottleStatus,
  throttledRetryAfterMs,
} from './shopify-cost-pacer.js'
import {
  ShopifyGraphqlError,
  ShopifyMaxCostExceededError,
  ShopifyReauthRequiredError,
  ShopifyUserError,
  type ShopifyUserErrorEntry,
} from './shopify-errors.js'
import { normalizeShopDomain } from './shopify-shop-domain.js'
import type { ShopifyAccessTokenSource } from './shopify-token-manager.js'

/** The GraphQL Admin API version this package is written and tested against (newest stable). */
export const SHOPIFY_API_VERSION = '2026-10'

/** Options of {@link createShopifyClient}. */
export interface ShopifyClientOptions {
  /** `{handle}.myshopify.com`. */
  shop: string
  /** A fixed access token, or a token source that refreshes expiring tokens. */
  auth: string | ShopifyAccessTokenSource
  /** Pinned API version. Default {@link SHOPIFY_API_VERSION}. */
  apiVersion?: string
  /** Per-request timeout. Default 30 s. */
  timeoutMs?: number
  clock?: Clock
  logger?: Logger
  fetch?: typeof fetch
  /** Origin serving the shop's Admin API; default `https://{shop}` (tests point it at a fake). */
  shopOrigin?: (shop: string) => string
  /**
   * The bucket model to pace with. Share one per shop between clients (the adapter does), since
   * Shopify's bucket is per app and shop. Default: a new one.
   */
  pacer?: CostPacer
}

/** Per-request options of {@link ShopifyClient.request}. */
export interface ShopifyRequestOptions<T> {
  variables?: Record<string, unknown>
  /** Validates `data`; the result is typed by it. */
  schema?: z.ZodType<T>
  /**
   * Expected cost in points, to wait for before sending. Default: what Shopify charged for the
   * same document last time (nothing before the first call).
   */
  estimatedCost?: number
  signal?: AbortSignal
}

/** A successful GraphQL answer. */
export interface ShopifyResult<T> {
  data: T
  cost: QueryCost | null
}

/** A GraphQL Admin API client for one shop. */
export interface ShopifyClient {
  readonly shop: string
  readonly apiVersion: string
  /**
   * Send one operation. Throws `RetryableError` (THROTTLED, 5xx, network, timeout),
   * {@link ShopifyMaxCostExceededError}, {@link ShopifyGraphqlError}, {@link ShopifyReauthRequiredError}
   * or `PermanentError` (other 4xx).
   */
  request<T = unknown>(document: string, options?: ShopifyRequestOptions<T>): Promise<ShopifyResult<T>>
  /** The bucket as last reported by Shopify. */
  throttleStatus(): ThrottleStatus | null
}

const graphqlErrorSchema = z.looseObject({
  message: z.string(),
  extensions: z.looseObject({ code: z.string().optional() }).optional(),
})
const responseSchema = z.object({
  data: z.unknown().optional(),
  errors: z.union([z.array(graphqlErrorSchema), z.string(), z.record(z.string(), z.unknown())]).optional(),
  extensions: z.looseObject({ cost: queryCostSchema.optional() }).optional(),
})
type GraphqlResponse = z.infer<typeof responseSchema>

function errorMessages(errors: GraphqlResponse['errors']): string {
  if (errors === undefined) return ''
  if (typeof errors === 'string') return errors
  if (Array.isArray(errors)) return errors.map((e) => e.message).join('; ')
  return JSON.stringify(errors)
}

function retryAfterHeader(response: Response): number | undefined {
  const seconds = Number(response.headers.get('retry-after'))
  return Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds * 1000) : undefined
}

/** Create a GraphQL Admin client: pinned version, cost-aware pacing, typed errors, no retries of its own. */
export function createShopifyClient(options: ShopifyClientOptions): ShopifyClient {
  const shop = normalizeShopDomain(options.shop)
  if (shop === null) throw new ConfigError(`createShopifyClient: not a shop domain`)
  const apiVersion = options.apiVersion ?? SHOPIFY_API_VERSION
  if (!/^(\d{4}-\d{2}|unstable)$/.test(apiVersion)) throw new ConfigError(`invalid API version ${apiVersion}`)
  const clock = options.clock ?? systemClock
  const logger = options.logger ?? silentLogger
  const endpoint = `${(options.shopOrigin ?? ((s: string) => `https://${s}`))(shop)}/admin/api/${apiVersion}/graphql.json`
  const http = ky.create({
    retry: 0,
    timeout: options.timeoutMs ?? 30_000,
    throwHttpErrors: false,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  })
  const auth = options.auth
  const tokens: ShopifyAccessTokenSource =
    typeof auth === 'string'
      ? {
          accessToken: async () => auth,
          refreshAfterUnauthorized: async () => {
            throw new ShopifyReauthRequiredError(`access token for ${shop} was rejected (401)`)
          },
        }
      : auth
  const pacer = options.pacer ?? new CostPacer()
  const lastCost = new Map<string, number>()
  /** Wait until the estimated cost is available (one caller per shop at a time), then charge it. */
  function pace(cost: number, signal: AbortSignal | undefined): Promise<void> {
    return pacer.acquire(cost, clock, signal, (wait) =>
      logger.debug({ shop, wait, cost }, 'shopify: pacing before query'),
    )
  }

  async function send(
    document: string,
    variables: Record<string, unknown> | undefined,
    token: string,
    signal?: AbortSignal,
  ) {
    try {
      return await http.post(endpoint, {
        json: { query: document, variables: variables ?? {} },
        headers: { 'X-Shopify-Access-Token': token, Accept: 'application/json' },
        ...(signal ? { signal } : {}),
      })
    } catch (error) {
      if (signal?.aborted) throw signal.reason
      if (isTimeoutError(error))
        throw new RetryableError('SHOPIFY_TIMEOUT', `request to ${shop} timed out`, { cause: error })
      throw new RetryableError('SHOPIFY_NETWORK', `request to ${shop} failed: ${(error as Error).message}`, {
        cause: error,
      })
    }
  }

  async function readBody(response: Response): Promise<GraphqlResponse | null> {
    let json: unknown
    try {
      json = JSON.parse(await response.text())
    } catch {
      return null
    }
    const parsed = responseSchema.safeParse(json)
    return parsed.success ? parsed.data : null
  }

  function fail(status: number, response: Response, body: GraphqlResponse | null): never {
    const cost = body?.extensions?.cost ?? null
    const errors = body?.errors
    const codes = Array.isArray(errors) ? errors.map((e) => e.extensions?.code) : []
    const message = errorMessages(errors) || `HTTP ${status}`
    if (status === 429 || codes.includes('THROTTLED')) {
      throw new RetryableError('SHOPIFY_THROTTLED', `throttled by ${shop}`, {
        retryAfterMs: retryAfterHeader(response) ?? throttledRetryAfterMs(cost),
      })
    }
    if (codes.includes('MAX_COST_EXCEEDED')) {
      const stated = /cost is (\d+)/i.exec(message)?.[1]
      throw new ShopifyMaxCostExceededError(
        message,
        stated ? Number(stated) : (cost?.requestedQueryCost ?? null),
      )
    }
    if (status >= 500 || codes.includes('INTERNAL_SERVER_ERROR')) {
      const retryAfterMs = retryAfterHeader(response)
      throw new RetryableError('SHOPIFY_UNAVAILABLE', `${shop} answered ${status}: ${message}`, {
        ...(retryAfterMs ? { retryAfterMs } : {}),
      })
    }
    if (status === 200) throw new ShopifyGraphqlError(codes.find(Boolean) ?? 'SHOPIFY_GRAPHQL_ERROR', message)
    throw new PermanentError(`SHOPIFY_HTTP_${status}`, `${shop} answered ${status}: ${message}`)
  }

  async function request<T>(
    document: string,
    opts: ShopifyRequestOptions<T> = {},
  ): Promise<ShopifyResult<T>> {
    await pace(opts.estimatedCost ?? lastCost.get(document) ?? 0, opts.signal)
    let token = await tokens.accessToken()
    let response = await send(document, opts.variables, token, opts.signal)
    if (response.status === 401) {
      token = await tokens.refreshAfterUnauthorized(token)
      response = await send(document, opts.variables, token, opts.signal)
      if (response.status === 401)
        throw new ShopifyReauthRequiredError(`${shop} rejected a freshly refreshed token`)
    }
    const body = await readBody(response)
    const cost = body?.extensions?.cost ?? null
    if (cost) {
      pacer.observe(cost.throttleStatus, clock.now().getTime())
      if (typeof cost.requestedQueryCost === 'number') lastCost.set(document, cost.requestedQueryCost)
    }
    if (response.status !== 200 || body === null || body.errors !== undefined) {
      if (response.status === 200 && body === null) {
        throw new RetryableError('SHOPIFY_RESPONSE_INVALID', `${shop} answered 200 with an unreadable body`)
      }
      fail(response.status, response, body)
    }
    if (body.data === undefined || body.data === null) {
      throw new ShopifyGraphqlError('SHOPIFY_RESPONSE_INVALID', `${shop} answered without data`)
    }
    if (!opts.schema) return { data: body.data as T, cost }
    const parsed = opts.schema.safeParse(body.data)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw new ShopifyGraphqlError(
        'SHOPIFY_RESPONSE_INVALID',
        `unexpected response shape at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
      )
    }
    return { data: parsed.data, cost }
  }

  return { shop, apiVersion, request, throttleStatus: () => pacer.snapshot() }
}

/** `userErrors` as mutations return them. */
export const userErrorsSchema = z.array(
  z.object({
    field: z.array(z.string()).nullish(),
    message: z.string(),
    code: z.string().nullish(),
  }),
)

/** Throw {@link ShopifyUserError} if a mutation payload carries `userErrors`. */
export function throwOnUserErrors(mutation: string, userErrors: z.infer<typeof userErrorsSchema>): void {
  if (userErrors.length === 0) return
  const entries: ShopifyUserErrorEntry[] = userErrors.map((e) => ({
    code: e.code ?? null,
    field: e.field ?? null,
    message: e.message,
  }))
  throw new ShopifyUserError(mutation, entries)
}

/**
 * Run a paged query, halving the page size each time Shopify refuses it as too expensive
 * (`MAX_COST_EXCEEDED`), down to `minimum`. Returns the result and the page size that worked, so
 * the caller keeps using it.
 */
export async function withPageSizeSplitting<T>(
  pageSize: number,
  run: (pageSize: number) => Promise<T>,
  minimum = 1,
): Promise<{ result: T; pageSize: number }> {
  let size = pageSize
  for (;;) {
    try {
      return { result: await run(size), pageSize: size }
    } catch (error) {
      if (!(error instanceof ShopifyMaxCostExceededError) || size <= minimum) throw error
      size = Math.max(minimum, Math.floor(size / 2))
    }
  }
}
