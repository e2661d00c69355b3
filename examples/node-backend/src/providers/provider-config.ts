import { ConfigError } from '@hub/core'

/** The environment, as `process.env` gives it. */
export type Env = Readonly<Record<string, string | undefined>>

/** Shopify app settings read from the environment. */
export interface ShopifyConfig {
  apiKey: string
  apiSecret: string
  /** Access scopes asked for at install. */
  scopes: string[]
  /**
   * Development only: serve every shop from this origin (a fake Shopify on 127.0.0.1) instead
   * of `https://{shop}`. Unset in production.
   */
  apiOrigin: string | null
}

/** WooCommerce settings read from the environment. */
export interface WooConfig {
  /** Shown to the merchant on the wc-auth grant screen. */
  appName: string
  /** Development only: accept `http://` and private or loopback store URLs (a fake store on 127.0.0.1). */
  allowInsecureStores: boolean
  /** After this long without the merchant's browser coming back, the keys are checked with a test request. */
  confirmAfterMs: number
}

/** What {@link readProviderConfig} finds. `null` means the provider is not enabled. */
export interface ProviderConfig {
  /**
   * The backend's public base URL, as the stores reach it (HTTPS in production, e.g. behind a
   * TLS proxy or tunnel): OAuth redirect, wc-auth callback and webhook addresses derive from it.
   */
  publicUrl: string
  shopify: ShopifyConfig | null
  woocommerce: WooConfig | null
}

const DEFAULT_SHOPIFY_SCOPES = ['read_products', 'read_inventory', 'write_inventory', 'read_locations']

function text(env: Env, name: string): string | null {
  const value = env[name]?.trim()
  return value ? value : null
}

function flag(env: Env, name: string): boolean {
  const value = text(env, name)
  if (value === null || value === '0' || value === 'false') return false
  if (value === '1' || value === 'true') return true
  throw new ConfigError(`${name} must be 1/true or 0/false, got ${JSON.stringify(value)}`)
}

function origin(value: string, name: string): URL {
  let url: URL
  try {
    url = new URL(value)
  } catch (cause) {
    throw new ConfigError(`${name} must be an absolute URL, got ${JSON.stringify(value)}`, { cause })
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`${name} must be an http(s) URL, got ${JSON.stringify(value)}`)
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new ConfigError(`${name} must not carry a query, a fragment or credentials`)
  }
  return url
}

/**
 * Read the provider settings from the environment. Each provider is enabled by its own
 * variables (Shopify by `SHOPIFY_API_KEY`, WooCommerce by `WOO_APP_NAME`); every problem is a
 * `ConfigError` naming the variable, raised before anything starts.
 *
 * | variable | meaning |
 * | --- | --- |
 * | `HUB_PUBLIC_URL` | Public base URL of this backend (required with any provider; HTTPS for WooCommerce). |
 * | `SHOPIFY_API_KEY`, `SHOPIFY_API_SECRET` | The Shopify app's client id and secret (both or neither). |
 * | `SHOPIFY_SCOPES` | Comma-separated scopes (default products, inventory, locations). |
 * | `SHOPIFY_API_ORIGIN` | Development only: the origin every shop is served from (a fake). |
 * | `WOO_APP_NAME` | Enables WooCommerce; the name on the grant screen. |
 * | `WOO_ALLOW_INSECURE_STORES` | Development only: accept http and private store URLs. |
 * | `WOO_CONFIRM_AFTER_MS` | Delay before unconfirmed keys are checked with a test request (default 60000). |
 */
export function readProviderConfig(env: Env): ProviderConfig {
  const apiKey = text(env, 'SHOPIFY_API_KEY')
  const apiSecret = text(env, 'SHOPIFY_API_SECRET')
  if ((apiKey === null) !== (apiSecret === null)) {
    throw new ConfigError('SHOPIFY_API_KEY and SHOPIFY_API_SECRET must be set together')
  }
  const appName = text(env, 'WOO_APP_NAME')
  const rawPublicUrl = text(env, 'HUB_PUBLIC_URL')
  const any = apiKey !== null || appName !== null
  if (!any) {
    return { publicUrl: rawPublicUrl ?? '', shopify: null, woocommerce: null }
  }
  if (rawPublicUrl === null) {
    throw new ConfigError('HUB_PUBLIC_URL is required when a provider is enabled (the stores call it back)')
  }
  const publicUrl = origin(rawPublicUrl, 'HUB_PUBLIC_URL')
  if (appName !== null && publicUrl.protocol !== 'https:') {
    throw new ConfigError('HUB_PUBLIC_URL must be https with WooCommerce (wc-auth refuses other callbacks)')
  }

  let shopify: ShopifyConfig | null = null
  if (apiKey !== null && apiSecret !== null) {
    const scopes = (text(env, 'SHOPIFY_SCOPES') ?? DEFAULT_SHOPIFY_SCOPES.join(','))
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
    if (scopes.some((s) => !/^[a-z_]+$/.test(s))) {
      throw new ConfigError('SHOPIFY_SCOPES must be comma-separated scope names, e.g. read_products')
    }
    const apiOrigin = text(env, 'SHOPIFY_API_ORIGIN')
    shopify = {
      apiKey,
      apiSecret,
      scopes,
      apiOrigin: apiOrigin === null ? null : origin(apiOrigin, 'SHOPIFY_API_ORIGIN').origin,
    }
  }

  let woocommerce: WooConfig | null = null
  if (appName !== null) {
    const rawDelay = text(env, 'WOO_CONFIRM_AFTER_MS') ?? '60000'
    const confirmAfterMs = Number(rawDelay)
    if (!Number.isSafeInteger(confirmAfterMs) || confirmAfterMs < 0) {
      throw new ConfigError(
        `WOO_CONFIRM_AFTER_MS must be a non-negative integer, got ${JSON.stringify(rawDelay)}`,
      )
    }
    woocommerce = { appName, allowInsecureStores: flag(env, 'WOO_ALLOW_INSECURE_STORES'), confirmAfterMs }
  }
  return { publicUrl: publicUrl.href.replace(/\/$/, ''), shopify, woocommerce }
}
