import {
  type Clock,
  ConfigError,
  CredentialError,
  type ExecutionContext,
  type OperationHandler,
  PROVIDER_SPEC_VERSION,
  type ProviderAdapter,
  type ProviderInventory,
} from '@hub/core'
import { z } from 'zod'
import { createShopifyAuth, type ShopifyAuth, shopifyCredentialsSchema } from './shopify-auth.js'
import { importCatalog, refreshProduct, type ShopifyCatalogOptions } from './shopify-catalog.js'
import { createShopifyClient, type ShopifyClient } from './shopify-client.js'
import { CostPacer } from './shopify-cost-pacer.js'
import { ShopifyReauthRequiredError } from './shopify-errors.js'
import { createShopifyInventory } from './shopify-inventory.js'
import { normalizeShopDomain } from './shopify-shop-domain.js'
import { ShopifyTokenManager } from './shopify-token-manager.js'
import { registerShopifyWebhooks } from './shopify-webhook-registration.js'
import { createShopifyWebhooks, SHOPIFY_OPERATIONS } from './shopify-webhooks.js'

/** Options of {@link createShopifyAdapter}. */
export interface ShopifyAdapterOptions extends ShopifyCatalogOptions {
  /** The app's client id. */
  apiKey: string
  /** The app's client secret: signs webhooks and OAuth callbacks, authenticates token refreshes. */
  apiSecret: string
  /** The secret before the last rotation, accepted on webhooks while set. */
  previousApiSecret?: string | null
  /** Scopes requested at install. Default: products, inventory and locations. */
  scopes?: readonly string[]
  /** OAuth callback URL (needed only to start installs through `adapter.auth`). */
  redirectUri?: string
  /** Pinned Admin API version. Default `SHOPIFY_API_VERSION`. */
  apiVersion?: string
  /** Per-request timeout. Default 30 s. */
  timeoutMs?: number
  /** Refresh expiring tokens this long before they expire. Default 5 minutes. */
  refreshSkewMs?: number
  clock?: Clock
  fetch?: typeof fetch
  /** Origin serving a shop's endpoints; default `https://{shop}` (tests point it at a fake). */
  shopOrigin?: (shop: string) => string
}

/** The Shopify adapter, plus its OAuth helpers for the host's install routes. */
export interface ShopifyAdapter extends ProviderAdapter {
  readonly auth: ShopifyAuth
}

const webhookRegisterPayloadSchema = z.object({
  uri: z.string().min(1),
  topics: z.array(z.string()).optional(),
})

const DEFAULT_SCOPES = ['read_products', 'read_inventory', 'write_inventory', 'read_locations']

/**
 * The Shopify provider for `createHub({ providers: [createShopifyAdapter({...})] })`: implements
 * `ProviderAdapter` specification `v1` with webhooks, compare-and-swap inventory and catalog
 * import (pages for small shops, a bulk operation for large ones). A `ShopifyReauthRequiredError` anywhere marks the connection `error`.
 */
export function createShopifyAdapter(options: ShopifyAdapterOptions): ShopifyAdapter {
  if (!options.apiKey || !options.apiSecret)
    throw new ConfigError('Shopify adapter needs apiKey and apiSecret')
  const auth = createShopifyAuth({
    apiKey: options.apiKey,
    apiSecret: options.apiSecret,
    scopes: options.scopes ?? DEFAULT_SCOPES,
    redirectUri: options.redirectUri ?? 'https://invalid.example/redirect-uri-not-configured',
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.shopOrigin ? { shopOrigin: options.shopOrigin } : {}),
  })
  const tokens = new ShopifyTokenManager({
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.refreshSkewMs !== undefined ? { skewMs: options.refreshSkewMs } : {}),
  })
  const pacers = new Map<string, CostPacer>()

  function clientFor(ctx: ExecutionContext): ShopifyClient {
    const parsed = shopifyCredentialsSchema.safeParse(ctx.credentials)
    if (!parsed.success)
      throw new CredentialError('SHOPIFY_CREDENTIALS_INVALID', 'connection has no Shopify access token')
    const shop = ctx.connection.externalAccountId
    let pacer = pacers.get(shop)
    if (pacer === undefined) {
      pacer = new CostPacer()
      pacers.set(shop, pacer)
    }
    const session = tokens.session({
      key: ctx.connection.id,
      credentials: parsed.data,
      save: (next) => ctx.saveCredentials(next),
      refresh: (refreshToken) => auth.refresh({ shop, refreshToken }),
    })
    return createShopifyClient({
      shop,
      auth: session,
      pacer,
      clock: ctx.clock,
      logger: ctx.logger,
      ...(options.apiVersion ? { apiVersion: options.apiVersion } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.shopOrigin ? { shopOrigin: options.shopOrigin } : {}),
    })
  }

  /** A dead token needs a person: say so on the connection, then fail the item. */
  async function guard<T>(ctx: ExecutionContext, run: () => Promise<T>): Promise<T> {
    try {
      return await run()
    } catch (error) {
      if (error instanceof ShopifyReauthRequiredError) {
        await ctx.setConnectionStatus('error', 'Shopify re-authorization required: reinstall the app')
      }
      throw error
    }
  }

  const baseInventory = createShopifyInventory(clientFor)
  const inventory: ProviderInventory = {
    read: (ctx, externalId) => guard(ctx, () => baseInventory.read(ctx, externalId)),
    push: (ctx, input) => guard(ctx, () => baseInventory.push(ctx, input)),
  }

  const operations: Record<string, OperationHandler> = {
    [SHOPIFY_OPERATIONS.catalogImport]: (ctx) =>
      guard(ctx, () => importCatalog(ctx, clientFor(ctx), options)),
    [SHOPIFY_OPERATIONS.catalogRefresh]: (ctx) => guard(ctx, () => refreshProduct(ctx, clientFor(ctx))),
    [SHOPIFY_OPERATIONS.webhooksRegister]: (ctx) =>
      guard(ctx, async () => {
        const payload = webhookRegisterPayloadSchema.safeParse(ctx.item.payload)
        if (!payload.success) throw new ConfigError('webhooks.register needs payload { uri, topics? }')
        const registrations = await registerShopifyWebhooks(clientFor(ctx), {
          ...payload.data,
          signal: ctx.signal,
        })
        return { result: { registrations: registrations.map((r) => ({ ...r })) } }
      }),
    [SHOPIFY_OPERATIONS.connectionRevoke]: async (ctx) => {
      await ctx.setConnectionStatus('revoked', 'app/uninstalled')
      return { result: { revoked: true } }
    },
  }

  return {
    specificationVersion: PROVIDER_SPEC_VERSION,
    provider: 'shopify',
    capabilities: {
      inventoryCompareAndSwap: true,
      webhookRetries: true,
      bulkImport: options.importMode !== 'pages',
      orderWebhooks: false,
    },
    webhooks: createShopifyWebhooks({
      apiSecret: options.apiSecret,
      ...(options.previousApiSecret ? { previousApiSecret: options.previousApiSecret } : {}),
    }),
    inventory,
    operations,
    normalizeAccountId(externalAccountId) {
      const shop = normalizeShopDomain(externalAccountId)
      if (shop === null) throw new ConfigError(`"${externalAccountId}" is not a Shopify shop domain`)
      return shop
    },
    secretKeys: [
      'accessToken',
      'refreshToken',
      'access_token',
      'refresh_token',
      'x-shopify-access-token',
      'client_secret',
    ],
    auth,
  }
}

/** Short alias, as in `createHub({ providers: [shopify({ apiKey, apiSecret })] })`. */
export const shopify: (options: ShopifyAdapterOptions) => ShopifyAdapter = createShopifyAdapter
