import { type Json, PermanentError, RetryableError } from '@hub/core'
import {
  createShopifyAdapter,
  SHOPIFY_OPERATIONS,
  SHOPIFY_WEBHOOK_TOPICS,
  type ShopifyAdapter,
  ShopifyAuthError,
} from '@hub/shopify'
import type { HostProvider } from '../provider-wiring.js'
import { authError, redirectTo, upsertConnection } from './auth-responses.js'
import type { ShopifyConfig } from './provider-config.js'

/** The paths of the Shopify auth routes. */
export const SHOPIFY_ROUTES = {
  /** `GET ?shop=<handle>.myshopify.com`, for the signed-in seller: redirects to Shopify's consent screen. */
  install: '/auth/shopify/install',
  /** `GET`: Shopify's redirect back, with `code, hmac, host, shop, state, timestamp`. */
  callback: '/auth/shopify/callback',
} as const

/** Options of {@link shopifyWiring}. */
export interface ShopifyWiringOptions extends ShopifyConfig {
  /** The backend's public base URL (redirect URI and webhook address derive from it). */
  publicUrl: string
  /** Store requests (tests and the demo pass their own; default the global `fetch`). */
  fetch?: typeof fetch
  /** Import the catalog right after the install. Default true. */
  importOnInstall?: boolean
}

/** Status of a Shopify auth failure: a forged or tampered callback is 401, a stale or replayed state 403. */
function statusOf(code: string): number {
  if (code === 'OAUTH_HMAC_INVALID') return 401
  if (code === 'OAUTH_STATE_INVALID') return 403
  return 400
}

/**
 * Shopify as this backend runs it: the adapter plus the OAuth install routes.
 *
 * - `install` binds a fresh single-use `state` to the signed-in seller and the shop
 *   (`adapter.auth.beginInstall`) and redirects to Shopify's authorize URL;
 * - `callback` checks the HMAC, the timestamp, the shop and the state
 *   (`adapter.auth.validateCallback`), exchanges the code for tokens, creates (or, on a
 *   reinstall, updates) the seller's connection, then queues the webhook registration and the
 *   catalog import on it. Every failure is a typed JSON answer (`{ error, message }`), and
 *   nothing is stored before the callback is proven genuine.
 *
 * The pending states live in the adapter's in-memory store: one process. A backend running
 * several instances passes a shared `OAuthStateStore` (a table with `DELETE … RETURNING`).
 */
export function shopifyWiring(options: ShopifyWiringOptions): HostProvider & { adapter: ShopifyAdapter } {
  const redirectUri = `${options.publicUrl}${SHOPIFY_ROUTES.callback}`
  const webhookUri = `${options.publicUrl}/hooks/shopify`
  const apiOrigin = options.apiOrigin
  const adapter = createShopifyAdapter({
    apiKey: options.apiKey,
    apiSecret: options.apiSecret,
    scopes: options.scopes,
    redirectUri,
    ...(apiOrigin ? { shopOrigin: () => apiOrigin } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  })
  const importOnInstall = options.importOnInstall ?? true

  return {
    adapter,
    authRoutes: {
      [SHOPIFY_ROUTES.install]: async (request, { sellerOf }) => {
        if (request.method !== 'GET') return authError(405, 'METHOD_NOT_ALLOWED', 'use GET')
        const sellerId = sellerOf(request)
        if (!sellerId) return authError(400, 'SELLER_REQUIRED', 'sign in as a seller to connect a shop')
        const shop = new URL(request.url).searchParams.get('shop') ?? ''
        try {
          const { url } = await adapter.auth.beginInstall({ shop, bindTo: sellerId })
          return redirectTo(url)
        } catch (error) {
          if (error instanceof ShopifyAuthError) return authError(400, error.code, error.message)
          throw error
        }
      },

      [SHOPIFY_ROUTES.callback]: async (request, { hub }) => {
        if (request.method !== 'GET') return authError(405, 'METHOD_NOT_ALLOWED', 'use GET')
        let shop: string
        let code: string
        let sellerId: string | null
        try {
          ;({
            shop,
            code,
            bindTo: sellerId,
          } = await adapter.auth.validateCallback(new URL(request.url).searchParams))
        } catch (error) {
          if (error instanceof ShopifyAuthError)
            return authError(statusOf(error.code), error.code, error.message)
          throw error
        }
        if (!sellerId) return authError(400, 'SELLER_REQUIRED', 'the install was not started by a seller')
        let credentials: Json
        try {
          credentials = { ...(await adapter.auth.exchangeCode({ shop, code })) }
        } catch (error) {
          if (error instanceof RetryableError) {
            return authError(
              502,
              'SHOPIFY_UNAVAILABLE',
              'Shopify did not answer the token request; install again',
            )
          }
          if (error instanceof PermanentError) return authError(400, error.code, error.message)
          throw error
        }
        const { connection, created } = await upsertConnection({
          hub,
          adapter,
          sellerId,
          externalAccountId: shop,
          credentials,
          status: 'active',
        })
        const scope = { sellerId }
        // The code is single-use, so it names this install: a reinstall registers and imports again.
        const install = `install:${code.slice(0, 64)}`
        const { run } = await hub.enqueue(
          scope,
          connection.id,
          'manual',
          [
            {
              operation: SHOPIFY_OPERATIONS.webhooksRegister,
              idempotencyKey: `${install}:webhooks`,
              entityType: 'webhooks',
              payload: { uri: webhookUri, topics: [...SHOPIFY_WEBHOOK_TOPICS] },
            },
            ...(importOnInstall
              ? [
                  {
                    operation: SHOPIFY_OPERATIONS.catalogImport,
                    idempotencyKey: `${install}:import`,
                    entityType: 'catalog',
                  },
                ]
              : []),
          ],
          `shopify install ${shop}`,
        )
        return Response.json({
          provider: 'shopify',
          connectionId: connection.id,
          shop,
          created,
          runId: run.id,
        })
      },
    },
  }
}
