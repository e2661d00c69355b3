import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { type Clock, ConfigError, RetryableError, systemClock } from '@hub/core'
import ky from 'ky'
import { z } from 'zod'
import { memoryOAuthStateStore, type OAuthStateStore } from './shopify-auth-state.js'
import { ShopifyAuthError, ShopifyReauthRequiredError } from './shopify-errors.js'
import { normalizeShopDomain } from './shopify-shop-domain.js'

/** A callback query as frameworks hand it over: `URLSearchParams` or a parsed object. */
export type CallbackQuery = URLSearchParams | Record<string, string | readonly string[] | undefined>

/**
 * What a Shopify connection stores as its credentials (JSON, encrypted by the hub). Dates are ISO
 * strings. `expiresAt`/`refreshToken` are null for a non-expiring offline token.
 */
export const shopifyCredentialsSchema = z.object({
  accessToken: z.string().min(1),
  scope: z.string().default(''),
  expiresAt: z.string().nullable().default(null),
  refreshToken: z.string().nullable().default(null),
  refreshTokenExpiresAt: z.string().nullable().default(null),
})
/** @see shopifyCredentialsSchema */
export type ShopifyCredentials = z.output<typeof shopifyCredentialsSchema>

/** Options of {@link createShopifyAuth}. */
export interface ShopifyAuthOptions {
  /** The app's client id. */
  apiKey: string
  /** The app's client secret. Never logged. */
  apiSecret: string
  /** Access scopes to request, e.g. `['read_products', 'write_inventory']`. */
  scopes: readonly string[]
  /** The callback URL, allow-listed in the app's configuration. */
  redirectUri: string
  /** Pending `state` nonces; default in memory (single process). */
  stateStore?: OAuthStateStore
  /** How long a started install may take. Default 10 minutes. */
  stateTtlMs?: number
  /** Accepted distance between the callback `timestamp` and now. Default 90 s (as shopify-app-js). */
  timestampToleranceSeconds?: number
  /** Ask for expiring offline tokens (`expiring=1`): required for public apps. Default true. */
  expiringTokens?: boolean
  clock?: Clock
  /** Request timeout of token calls. Default 15 s. */
  timeoutMs?: number
  fetch?: typeof fetch
  /** Origin serving a shop's OAuth endpoints; default `https://{shop}` (tests point it at a fake). */
  shopOrigin?: (shop: string) => string
}

/** A validated OAuth callback. */
export interface ShopifyCallback {
  shop: string
  code: string
  /** Shopify's base64 `host` parameter, when present. */
  host: string | null
  /** The binding given to {@link ShopifyAuth.beginInstall}. */
  bindTo: string | null
}

/** The OAuth side of the Shopify provider. */
export interface ShopifyAuth {
  /** Build the authorize URL with a fresh single-use `state` bound to the shop (offline access). */
  beginInstall(input: { shop: string; bindTo?: string | null }): Promise<{ url: string; state: string }>
  /**
   * Check a callback: HMAC over all parameters, timestamp window, shop domain, then consume the
   * single-use state. Throws {@link ShopifyAuthError} on any failure.
   */
  validateCallback(query: CallbackQuery): Promise<ShopifyCallback>
  /** Exchange the callback `code` for tokens. */
  exchangeCode(input: { shop: string; code: string }): Promise<ShopifyCredentials>
  /** Trade a refresh token for a new pair. `invalid_grant` throws {@link ShopifyReauthRequiredError}. */
  refresh(input: { shop: string; refreshToken: string }): Promise<ShopifyCredentials>
  /**
   * Swap a non-expiring offline token for an expiring pair without the merchant (token exchange);
   * public apps must by 2027-01-01. The old token stops working once the new one is issued.
   */
  migrateToExpiring(input: { shop: string; accessToken: string }): Promise<ShopifyCredentials>
}

const OFFLINE_TOKEN_TYPE = 'urn:shopify:params:oauth:token-type:offline-access-token'

/** Flatten a query the way shopify-app-js does: repeated `URLSearchParams` keys join with commas. */
function toRecord(query: CallbackQuery): Record<string, string | readonly string[]> {
  const record: Record<string, string | readonly string[]> = Object.create(null)
  if (query instanceof URLSearchParams) {
    for (const [key, value] of query) {
      const existing = record[key]
      record[key] = existing === undefined ? value : `${existing},${value}`
    }
    return record
  }
  for (const [key, value] of Object.entries(query)) if (value !== undefined) record[key] = value
  return record
}

/**
 * The message Shopify signs for an OAuth callback: every parameter except `hmac` and `signature`,
 * keys sorted with `localeCompare`, serialized by `URLSearchParams` (arrays as `key[]`), `+` as `%20`.
 */
export function callbackHmacMessage(query: CallbackQuery): string {
  const record = toRecord(query)
  const params = new URLSearchParams()
  for (const key of Object.keys(record).sort((a, b) => a.localeCompare(b))) {
    if (key === 'hmac' || key === 'signature') continue
    const value = record[key]
    if (typeof value === 'string') params.append(key, value)
    else for (const item of value ?? []) params.append(`${key}[]`, item)
  }
  return params.toString().replace(/\+/g, '%20')
}

/** Constant-time check of the hex HMAC-SHA256 of an OAuth callback. Never throws. */
export function verifyCallbackHmac(query: CallbackQuery, apiSecret: string): boolean {
  const hmac = toRecord(query)['hmac']
  if (typeof hmac !== 'string' || !/^[0-9a-f]{64}$/.test(hmac)) return false
  const expected = createHmac('sha256', apiSecret).update(callbackHmacMessage(query)).digest()
  return timingSafeEqual(expected, Buffer.from(hmac, 'hex'))
}

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  scope: z.string().default(''),
  expires_in: z.number().int().positive().optional(),
  refresh_token: z.string().min(1).optional(),
  refresh_token_expires_in: z.number().int().positive().optional(),
})
const tokenErrorSchema = z.object({ error: z.string(), error_description: z.string().optional() })

/** Shopify's access-token TTL; assumed when a refresh answer omits `expires_in` (shopify-app-js#3400). */
const DEFAULT_ACCESS_TTL_SECONDS = 3600

/** Create the OAuth helpers of a Shopify app. */
export function createShopifyAuth(options: ShopifyAuthOptions): ShopifyAuth {
  for (const key of ['apiKey', 'apiSecret', 'redirectUri'] as const) {
    if (typeof options[key] !== 'string' || options[key].length === 0) {
      throw new ConfigError(`createShopifyAuth: ${key} is required`)
    }
  }
  const clock = options.clock ?? systemClock
  const stateStore = options.stateStore ?? memoryOAuthStateStore({ clock })
  const stateTtlMs = options.stateTtlMs ?? 10 * 60_000
  const tolerance = options.timestampToleranceSeconds ?? 90
  const origin = options.shopOrigin ?? ((shop: string) => `https://${shop}`)
  const http = ky.create({
    retry: 0,
    timeout: options.timeoutMs ?? 15_000,
    throwHttpErrors: false,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  })

  function requireShop(shop: string): string {
    const normalized = normalizeShopDomain(shop)
    if (normalized === null) throw new ShopifyAuthError('OAUTH_SHOP_INVALID', 'not a valid shop domain')
    return normalized
  }

  async function tokenRequest(shop: string, body: Record<string, string>, kind: 'code' | 'refresh') {
    const url = `${origin(requireShop(shop))}/admin/oauth/access_token`
    let response: Response
    try {
      response = await http.post(url, {
        json: { client_id: options.apiKey, client_secret: options.apiSecret, ...body },
      })
    } catch (error) {
      throw new RetryableError(
        'SHOPIFY_NETWORK',
        `token request to ${shop} failed: ${(error as Error).name}`,
        {
          cause: error,
        },
      )
    }
    const text = await response.text().catch(() => '')
    let json: unknown = null
    try {
      json = JSON.parse(text)
    } catch {
      // Not JSON (an HTML error page): the status decides below.
    }
    if (response.status === 429 || response.status >= 500) {
      throw new RetryableError('SHOPIFY_TOKEN_UNAVAILABLE', `token endpoint answered ${response.status}`)
    }
    if (!response.ok) {
      const error = tokenErrorSchema.safeParse(json)
      const reason = error.success ? error.data.error : `HTTP ${response.status}`
      if (kind === 'refresh' && (reason === 'invalid_grant' || response.status === 401)) {
        throw new ShopifyReauthRequiredError(
          `refresh token refused for ${shop} (${reason}): reinstall needed`,
        )
      }
      throw new ShopifyAuthError(
        kind === 'code' ? 'OAUTH_CODE_REJECTED' : 'OAUTH_REFRESH_REJECTED',
        `token request refused for ${shop}: ${reason}`,
      )
    }
    const parsed = tokenResponseSchema.safeParse(json)
    if (!parsed.success) {
      // A refresh whose answer was lost is safe to retry: the old refresh token stays valid until
      // the new pair is used (Shopify changelog 2026-08-28).
      throw new RetryableError('SHOPIFY_TOKEN_RESPONSE_INVALID', `token endpoint answered an unexpected body`)
    }
    return parsed.data
  }

  function toCredentials(
    data: z.infer<typeof tokenResponseSchema>,
    previousRefreshToken: string | null,
  ): ShopifyCredentials {
    const now = clock.now().getTime()
    const refreshToken = data.refresh_token ?? previousRefreshToken
    const expiresIn = data.expires_in ?? (refreshToken ? DEFAULT_ACCESS_TTL_SECONDS : undefined)
    return {
      accessToken: data.access_token,
      scope: data.scope,
      expiresAt: expiresIn === undefined ? null : new Date(now + expiresIn * 1000).toISOString(),
      refreshToken,
      refreshTokenExpiresAt:
        data.refresh_token_expires_in === undefined
          ? null
          : new Date(now + data.refresh_token_expires_in * 1000).toISOString(),
    }
  }

  return {
    async beginInstall({ shop, bindTo = null }) {
      const normalized = requireShop(shop)
      const state = randomBytes(32).toString('hex')
      await stateStore.save(state, {
        shop: normalized,
        bindTo,
        expiresAt: new Date(clock.now().getTime() + stateTtlMs),
      })
      const params = new URLSearchParams({
        client_id: options.apiKey,
        scope: options.scopes.join(','),
        redirect_uri: options.redirectUri,
        state,
      })
      return { url: `${origin(normalized)}/admin/oauth/authorize?${params}`, state }
    },

    async validateCallback(query) {
      const record = toRecord(query)
      if (!verifyCallbackHmac(record, options.apiSecret)) {
        throw new ShopifyAuthError('OAUTH_HMAC_INVALID', 'callback HMAC missing or invalid')
      }
      const timestamp = record['timestamp']
      const nowSeconds = Math.trunc(clock.now().getTime() / 1000)
      if (typeof timestamp !== 'string' || !/^\d{1,12}$/.test(timestamp)) {
        throw new ShopifyAuthError('OAUTH_TIMESTAMP_INVALID', 'callback timestamp missing or invalid')
      }
      if (Math.abs(nowSeconds - Number(timestamp)) > tolerance) {
        throw new ShopifyAuthError(
          'OAUTH_TIMESTAMP_INVALID',
          'callback timestamp outside the accepted window',
        )
      }
      const shop = normalizeShopDomain(record['shop'])
      if (shop === null)
        throw new ShopifyAuthError('OAUTH_SHOP_INVALID', 'callback shop is not a shop domain')
      const code = record['code']
      if (typeof code !== 'string' || code.length === 0) {
        throw new ShopifyAuthError('OAUTH_CODE_MISSING', 'callback has no code')
      }
      const stateParam = record['state']
      const state =
        typeof stateParam === 'string' && stateParam.length > 0 ? await stateStore.take(stateParam) : null
      if (state === null || state.expiresAt.getTime() <= clock.now().getTime() || state.shop !== shop) {
        throw new ShopifyAuthError(
          'OAUTH_STATE_INVALID',
          'callback state unknown, expired, used or for another shop',
        )
      }
      const host = record['host']
      return { shop, code, host: typeof host === 'string' ? host : null, bindTo: state.bindTo }
    },

    async exchangeCode({ shop, code }) {
      const body: Record<string, string> = { code, expiring: options.expiringTokens === false ? '0' : '1' }
      return toCredentials(await tokenRequest(shop, body, 'code'), null)
    },

    async refresh({ shop, refreshToken }) {
      const data = await tokenRequest(
        shop,
        { grant_type: 'refresh_token', refresh_token: refreshToken },
        'refresh',
      )
      return toCredentials(data, refreshToken)
    },

    async migrateToExpiring({ shop, accessToken }) {
      const body = {
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: accessToken,
        subject_token_type: OFFLINE_TOKEN_TYPE,
        requested_token_type: OFFLINE_TOKEN_TYPE,
        expiring: '1',
      }
      return toCredentials(await tokenRequest(shop, body, 'refresh'), null)
    },
  }
}
