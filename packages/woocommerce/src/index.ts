/**
 * `@hub/woocommerce`: the WooCommerce provider of Commerce Hub.
 *
 * - {@link createWooClient}: wc/v3 REST client (Basic or query keys over HTTPS only, OAuth 1.0a
 *   over HTTP, paginated iterators, typed errors).
 * - {@link buildAuthorizeUrl} / {@link createWcAuthCallbackHandler}: the wc-auth key exchange,
 *   with keys kept provisional until confirmed.
 * - {@link validateStoreUrl}: store URL normalization and SSRF checks.
 * - {@link createWooWebhooks}: core's `ProviderWebhooks` (verify, pings, stable event ids) and
 *   {@link ensureWebhooks} to register and re-activate webhooks.
 * - {@link normalizeProduct}: products and variations to core's `NormalizedProduct`.
 *
 * - {@link woocommerce}: the `ProviderAdapter` (inventory with a stored plan, import, polls).
 *
 * Depends only on `@hub/core`'s ports and errors.
 *
 * @packageDocumentation
 */

export * from './woocommerce-adapter.js'
export * from './woocommerce-auth.js'
export * from './woocommerce-client.js'
export * from './woocommerce-credentials.js'
export * from './woocommerce-dates.js'
export * from './woocommerce-errors.js'
export * from './woocommerce-inventory.js'
export * from './woocommerce-normalizers.js'
export * from './woocommerce-oauth1.js'
export * from './woocommerce-schemas.js'
export * from './woocommerce-url.js'
export * from './woocommerce-webhook-registration.js'
export * from './woocommerce-webhooks.js'
