import {
  ConfigError,
  type Hub,
  type Logger,
  PermanentError,
  type ProviderAdapter,
  silentLogger,
} from '@hub/core'
import {
  buildAuthorizeUrl,
  completeWcAuthReturn,
  confirmWcAuthByTestRequest,
  createWcAuthCallbackHandler,
  createWcAuthState,
  createWebhookSecret,
  createWooClient,
  parseStoreUrl,
  type StoreUrlPolicy,
  type WcAuthKeyStore,
  type WcAuthKeys,
  WOO_WEBHOOKS_ENSURE,
  webhookDeliveryUrl,
  woocommerce,
} from '@hub/woocommerce'
import type { HostProvider } from '../provider-wiring.js'
import { authError, redirectTo, upsertConnection } from './auth-responses.js'
import type { WooConfig } from './provider-config.js'

/** The paths of the WooCommerce auth routes. */
export const WOO_ROUTES = {
  /** `GET ?store_url=<home URL>`, for the signed-in seller: redirects to the store's wc-auth grant screen. */
  connect: '/auth/woocommerce/connect',
  /** `POST`: WooCommerce delivers the new key here (JSON); answered exactly 200 once stored. */
  callback: '/auth/woocommerce/callback',
  /** `GET ?success=1|0&user_id=…`: where the merchant's browser lands after approving or denying. */
  return: '/auth/woocommerce/return',
} as const

/** Options of {@link wooWiring}. */
export interface WooWiringOptions extends WooConfig {
  /** The backend's public base URL, HTTPS (callback, return and webhook addresses derive from it). */
  publicUrl: string
  /** Store requests (tests and the demo pass their own; default the global `fetch`). */
  fetch?: typeof fetch
  /** Import the catalog once the keys are confirmed. Default true. */
  importOnConnect?: boolean
  /** How long a started connection may take. Default 15 minutes. */
  pendingTtlMs?: number
  logger?: Logger
}

/** One wc-auth flow in progress, keyed by the state sent as `user_id`. */
interface PendingGrant {
  sellerId: string
  storeUrl: string
  expiresAt: number
  /** Set when the callback delivered keys (stored provisional on a `pending` connection). */
  keys: WcAuthKeys | null
  connectionId: string | null
  timer: ReturnType<typeof setTimeout> | null
}

/** How a grant ended, for the return route's answer. */
interface GrantOutcome {
  connectionId: string | null
  storeUrl: string
  status: 'active' | 'denied'
  runId: string | null
}

/** A `user_id` that is not (or no longer) a pending grant: unknown, expired, or already finished. */
class GrantStateError extends PermanentError {
  constructor(message: string) {
    super('WC_AUTH_STATE_INVALID', message)
  }
}

/** The return came back before WooCommerce delivered the keys (should not happen: it posts first). */
class KeysMissingError extends PermanentError {
  constructor() {
    super('WC_AUTH_KEYS_MISSING', 'WooCommerce has not delivered the keys for this grant')
  }
}

/**
 * WooCommerce as this backend runs it: the adapter plus the wc-auth routes.
 *
 * - `connect` checks the store URL (`parseStoreUrl` under the host's policy), binds a fresh
 *   random state to the signed-in seller and redirects to `buildAuthorizeUrl(...)`;
 * - `callback` is `createWcAuthCallbackHandler`: the keys are stored encrypted on a `pending`
 *   connection (provisional) and the answer is exactly 200; anything else (bad body, unknown
 *   state, weak key) is a non-200, so WooCommerce deletes the key;
 * - `return` confirms the keys on `success=1` (the connection becomes `active`, webhooks are
 *   registered and the catalog import starts) or discards them on `success=0` (the connection is
 *   `revoked`, with the reason). When the browser never comes back, a test request with the
 *   keys after `confirmAfterMs` confirms or discards them.
 *
 * Pending grants live in memory: one process. A backend running several instances keeps them
 * in a table instead.
 */
export function wooWiring(options: WooWiringOptions): HostProvider {
  const logger = options.logger ?? silentLogger
  const policy: StoreUrlPolicy = options.allowInsecureStores ? { allowHttp: true, allowPrivate: true } : {}
  const adapter: ProviderAdapter = woocommerce({
    policy,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  })
  const callbackUrl = `${options.publicUrl}${WOO_ROUTES.callback}`
  const returnUrl = `${options.publicUrl}${WOO_ROUTES.return}`
  const hooksEndpoint = `${options.publicUrl}/hooks/woocommerce`
  const ttl = options.pendingTtlMs ?? 15 * 60_000
  const importOnConnect = options.importOnConnect ?? true
  const pending = new Map<string, PendingGrant>()
  const outcomes = new Map<string, GrantOutcome>()

  const live = (userId: string): PendingGrant | null => {
    const grant = pending.get(userId)
    if (!grant) return null
    if (grant.expiresAt <= Date.now() && !grant.keys) {
      pending.delete(userId)
      return null
    }
    return grant
  }

  const finish = (userId: string, grant: PendingGrant, outcome: GrantOutcome) => {
    if (grant.timer) clearTimeout(grant.timer)
    pending.delete(userId)
    outcomes.set(userId, outcome)
    while (outcomes.size > 1000) outcomes.delete(outcomes.keys().next().value as string)
  }

  const keyStore = (hub: Hub): WcAuthKeyStore => {
    const store: WcAuthKeyStore = {
      isPending: (userId) => {
        const grant = live(userId)
        // A second callback for one grant (the merchant approved twice) is refused: WooCommerce
        // then deletes that second key, and the first stays the only one.
        return grant !== null && grant.keys === null
      },
      async saveProvisional(keys) {
        const grant = live(keys.userId)
        if (!grant) throw new GrantStateError('grant expired while the keys were on their way')
        const { connection } = await upsertConnection({
          hub,
          adapter,
          sellerId: grant.sellerId,
          externalAccountId: grant.storeUrl,
          credentials: {
            consumerKey: keys.consumerKey,
            consumerSecret: keys.consumerSecret,
            webhookSecret: createWebhookSecret(),
          },
          status: 'pending',
        })
        grant.keys = keys
        grant.connectionId = connection.id
        grant.timer = setTimeout(() => {
          confirmByTestRequest(hub, keys).catch((error: unknown) =>
            logger.warn({ err: String(error), userId: keys.userId }, 'wc-auth test request failed'),
          )
        }, options.confirmAfterMs)
        grant.timer.unref()
      },
      async confirm(userId, via) {
        const grant = live(userId)
        if (!grant) throw new GrantStateError('unknown, expired or finished wc-auth grant')
        if (!grant.keys || !grant.connectionId) throw new KeysMissingError()
        const scope = { sellerId: grant.sellerId }
        // Active again: the hub re-queues the work held while the connection waited for these keys.
        const connection = await hub.connections.setStatus(scope, grant.connectionId, 'active', null)
        const { run } = await hub.enqueue(
          scope,
          connection.id,
          'manual',
          [
            {
              operation: WOO_WEBHOOKS_ENSURE,
              idempotencyKey: `connect:${grant.keys.keyId}:webhooks`,
              entityType: 'webhooks',
              payload: { deliveryUrl: webhookDeliveryUrl(hooksEndpoint, connection.externalAccountId) },
            },
            ...(importOnConnect
              ? [
                  {
                    operation: 'catalog.import',
                    idempotencyKey: `connect:${grant.keys.keyId}:import`,
                    entityType: 'catalog',
                  },
                ]
              : []),
          ],
          `woocommerce connect (${via})`,
        )
        logger.info({ connectionId: connection.id, via }, 'wc-auth keys confirmed')
        finish(userId, grant, {
          connectionId: connection.id,
          storeUrl: grant.storeUrl,
          status: 'active',
          runId: run.id,
        })
      },
      async discard(userId, reason) {
        const grant = live(userId)
        if (!grant) throw new GrantStateError('unknown, expired or finished wc-auth grant')
        if (grant.connectionId) {
          await hub.connections.setStatus({ sellerId: grant.sellerId }, grant.connectionId, 'revoked', reason)
        }
        logger.info({ connectionId: grant.connectionId, reason }, 'wc-auth keys discarded')
        finish(userId, grant, {
          connectionId: grant.connectionId,
          storeUrl: grant.storeUrl,
          status: 'denied',
          runId: null,
        })
      },
    }
    return store
  }

  const confirmByTestRequest = async (hub: Hub, keys: WcAuthKeys) => {
    const grant = live(keys.userId)
    if (!grant || grant.keys !== keys) return
    const client = createWooClient({
      storeUrl: grant.storeUrl,
      keys,
      policy,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    })
    await confirmWcAuthByTestRequest(keys, keyStore(hub), () => client.ping())
  }

  return {
    adapter,
    authRoutes: {
      [WOO_ROUTES.connect]: async (request, { sellerOf }) => {
        if (request.method !== 'GET') return authError(405, 'METHOD_NOT_ALLOWED', 'use GET')
        const sellerId = sellerOf(request)
        if (!sellerId) return authError(400, 'SELLER_REQUIRED', 'sign in as a seller to connect a store')
        const raw = new URL(request.url).searchParams.get('store_url') ?? ''
        let storeUrl: string
        let url: string
        const userId = createWcAuthState()
        try {
          storeUrl = parseStoreUrl(raw, policy)
          url = buildAuthorizeUrl({
            storeUrl,
            appName: options.appName,
            userId,
            returnUrl,
            callbackUrl,
            policy,
          })
        } catch (error) {
          if (error instanceof PermanentError || error instanceof ConfigError) {
            return authError(400, 'STORE_URL_INVALID', error.message)
          }
          throw error
        }
        for (const [key, grant] of pending)
          if (grant.expiresAt <= Date.now() && !grant.keys) pending.delete(key)
        pending.set(userId, {
          sellerId,
          storeUrl,
          expiresAt: Date.now() + ttl,
          keys: null,
          connectionId: null,
          timer: null,
        })
        return redirectTo(url)
      },

      [WOO_ROUTES.callback]: (request, { hub }) =>
        createWcAuthCallbackHandler({ store: keyStore(hub), logger })(request),

      [WOO_ROUTES.return]: async (request, { hub }) => {
        if (request.method !== 'GET') return authError(405, 'METHOD_NOT_ALLOWED', 'use GET')
        const url = new URL(request.url)
        try {
          const { userId } = await completeWcAuthReturn(url, keyStore(hub))
          const outcome = outcomes.get(userId)
          return Response.json({ provider: 'woocommerce', ...outcome })
        } catch (error) {
          if (error instanceof GrantStateError) {
            // Already finished by a test request? Then the browser just came back late.
            const done = outcomes.get(url.searchParams.get('user_id') ?? '')
            if (done) return Response.json({ provider: 'woocommerce', ...done })
            return authError(403, error.code, error.message)
          }
          if (error instanceof KeysMissingError) return authError(409, error.code, error.message)
          if (error instanceof ConfigError) return authError(400, 'WC_AUTH_RETURN_INVALID', error.message)
          throw error
        }
      },
    },
  }
}
