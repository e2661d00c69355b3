import type { Logger } from '@hub/core'
import type { HostProvider } from './provider-wiring.js'
import { type Env, readProviderConfig } from './providers/provider-config.js'
import { shopifyWiring } from './providers/shopify-wiring.js'
import { wooWiring } from './providers/woocommerce-wiring.js'

/** Extras of {@link hostProviders} that do not come from the environment. */
export interface HostProvidersOptions {
  logger?: Logger
  /** Store requests of both adapters (default the global `fetch`). */
  fetch?: typeof fetch
}

/**
 * The providers this backend runs, built from the environment: the one place where adapters
 * and their auth routes are added (see `providers/provider-config.ts` for the variables).
 *
 * - Shopify (`SHOPIFY_API_KEY` + `SHOPIFY_API_SECRET`): OAuth install at
 *   `/auth/shopify/install?shop=…`, callback at `/auth/shopify/callback`;
 * - WooCommerce (`WOO_APP_NAME`): wc-auth at `/auth/woocommerce/connect?store_url=…`, key
 *   callback at `/auth/woocommerce/callback`, browser return at `/auth/woocommerce/return`.
 *
 * Both need `HUB_PUBLIC_URL`, the address the stores call back. With neither configured the
 * server still runs (operator API, marketplace, `/health`). Invalid settings throw `ConfigError`.
 */
export function hostProviders(env: Env, options: HostProvidersOptions = {}): HostProvider[] {
  const config = readProviderConfig(env)
  const providers: HostProvider[] = []
  const fetchOption = options.fetch ? { fetch: options.fetch } : {}
  if (config.shopify) {
    providers.push(shopifyWiring({ ...config.shopify, publicUrl: config.publicUrl, ...fetchOption }))
  }
  if (config.woocommerce) {
    providers.push(
      wooWiring({
        ...config.woocommerce,
        publicUrl: config.publicUrl,
        ...fetchOption,
        ...(options.logger ? { logger: options.logger } : {}),
      }),
    )
  }
  return providers
}
